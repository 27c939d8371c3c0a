"""The SageMaker runtime API: InvokeEndpoint, its streaming and async forms."""
