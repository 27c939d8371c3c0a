"""Model step (the SDK's ModelStep with model.create(), and CreateModelStep): CreateModel with
the step's arguments and a name Pipelines chooses; its properties are DescribeModel's answer
(`Steps.<step>.ModelName`, what a transform step after it names)."""

from .....aws.errors import ServiceError
from .base import SUCCEEDED, Outcome, job_name
from .jobs import create_failure


def run(attempt):
    arguments = dict(attempt.step.arguments)
    prefix = arguments.get("ModelName") if isinstance(arguments.get("ModelName"), str) else None
    name = job_name(attempt.execution_id, attempt.step.name, 63, prefix)
    try:
        created = attempt.api("CreateModel", **{**attempt.resolve(arguments), "ModelName": name})
        description = attempt.api("DescribeModel", ModelName=name)
    except ServiceError as error:
        return create_failure("CreateModel", error)
    return Outcome(SUCCEEDED, properties=description, metadata={"Model": {"Arn": created["ModelArn"]}})
