"""A local Amazon SageMaker emulator.

Layers, each importing only the ones below it:

- ``aws``        wire protocol: botocore models, routing, validation, error shapes
- ``sagemaker``  the control plane: one provider method per operation, resources, state
- ``execution``  the /opt/ml contract and the runners that execute jobs (Docker, process)
- ``backing``    the AWS services a workflow touches (S3 on SeaweedFS; Logs/STS/IAM on moto)
"""

__version__ = "0.1.0"
