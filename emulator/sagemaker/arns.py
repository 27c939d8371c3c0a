"""ARNs as SageMaker writes them: resource names are lower-cased in the ARN."""


def arn(region: str, account: str, resource: str, name: str) -> str:
    return f"arn:aws:sagemaker:{region}:{account}:{resource}/{name.lower()}"
