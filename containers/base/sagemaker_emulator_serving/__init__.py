"""`serve` for every framework image: the SageMaker inference contract on port 8080.

One server (gunicorn, app.py) for all images; what answers is the image's handler: the
PyTorch inference toolkit's HandlerService (inference_toolkit.py), or the framework
contract that AWS's scikit-learn and XGBoost containers serve (framework.py), with each
framework's defaults. gunicorn replaces the TorchServe / Multi Model Server processes AWS
runs, so an endpoint is ready in about a second.
"""
