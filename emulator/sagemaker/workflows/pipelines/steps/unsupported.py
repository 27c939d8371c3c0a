"""Step types the emulator accepts in a definition but does not run (QualityCheck, ClarifyCheck,
EMR, EMRServerless, AutoML, EndpointConfig, Endpoint, InferenceComponent, Lineage): the step
fails with a message naming its type."""

from .base import Outcome


def run(attempt):
    return Outcome.failed(f"ClientError: {attempt.step.type} steps are not emulated by the SageMaker emulator "
                          f"(step {attempt.step.name}); the emulated step types are Processing, Training, Transform, "
                          "Tuning, Model, RegisterModel, Condition, Fail and Callback")
