"""The SageMaker control plane: resources, their state machines, one method per operation."""
