"""The PyTorch image's `serve`: the SageMaker inference contract on port 8080.

AWS's PyTorch inference image runs TorchServe (a Java server) around the
sagemaker-pytorch-inference toolkit's HandlerService. This image runs the same
HandlerService, unchanged, behind gunicorn: the user's model_fn/input_fn/predict_fn/
output_fn/transform_fn and the toolkit's defaults behave as on AWS, and an endpoint is
ready in about a second instead of TorchServe's start-up.
"""
