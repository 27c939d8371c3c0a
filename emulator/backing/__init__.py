"""The AWS services a SageMaker workflow touches besides SageMaker itself."""
