"""RegisterModel step (the SDK's ModelStep with model.register(), and RegisterModel):
CreateModelPackage with the step's arguments, a new version in its ModelPackageGroupName; its
properties are DescribeModelPackage's answer (`Steps.<step>.ModelPackageArn`)."""

from .....aws.errors import ServiceError
from .base import SUCCEEDED, Outcome
from .jobs import create_failure


def run(attempt):
    try:
        created = attempt.api("CreateModelPackage", **attempt.resolve(attempt.step.arguments))
        description = attempt.api("DescribeModelPackage", ModelPackageName=created["ModelPackageArn"])
    except ServiceError as error:
        return create_failure("CreateModelPackage", error)
    return Outcome(SUCCEEDED, properties=description, metadata={"RegisterModel": {"Arn": created["ModelPackageArn"]}})
