"""Lambda step: AWS Lambda is not emulated, so the step fails saying so (and what to use instead)."""

from .base import Outcome


def run(attempt):
    function = attempt.step.raw.get("FunctionArn", "")
    return Outcome.failed(
        f"ClientError: Lambda steps are not emulated: the SageMaker emulator serves no AWS Lambda, so the function "
        f"{function} cannot be invoked. Run that code in a processing step, or use a callback step and answer it "
        "with SendPipelineExecutionStepSuccess.", metadata={"Lambda": {"Arn": function}} if function else {})
