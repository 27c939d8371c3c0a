"""The XGBoost image's own code: SageMaker's built-in XGBoost algorithm, written from its
documented contract and AWS's sagemaker-xgboost-container (the 1.7-1 release) on xgboost from
PyPI, plus the script mode that any `sagemaker_program` hyperparameter selects.

Pure parts (hyperparameters.py, channels.py, metrics.py' names) import nothing heavier than
the standard library, so the emulator's unit tests check them without the image.
"""
