"""RegisterModel step (the SDK's ModelStep with model.register(), and RegisterModel):
CreateModelPackage with the step's arguments, a new version in its ModelPackageGroupName; its
properties are DescribeModelPackage's answer (`Steps.<step>.ModelPackageArn`).

A group that does not exist yet is created first (CreateModelPackageGroup), as Pipelines does:
the SDK's own tests register into a group nothing made beforehand."""

from .....aws.errors import ServiceError
from .base import SUCCEEDED, Outcome
from .jobs import create_failure


def run(attempt):
    arguments = attempt.resolve(attempt.step.arguments)
    group = arguments.get("ModelPackageGroupName")
    try:
        if group:
            _ensure_group(attempt.api, group)
        created = attempt.api("CreateModelPackage", **arguments)
        description = attempt.api("DescribeModelPackage", ModelPackageName=created["ModelPackageArn"])
    except ServiceError as error:
        return create_failure("CreateModelPackage", error)
    return Outcome(SUCCEEDED, properties=description, metadata={"RegisterModel": {"Arn": created["ModelPackageArn"]}})


def _ensure_group(api, name: str) -> None:
    try:
        api("DescribeModelPackageGroup", ModelPackageGroupName=name)
    except ServiceError:
        try:
            api("CreateModelPackageGroup", ModelPackageGroupName=name)
        except ServiceError:
            pass  # made meanwhile by another step; CreateModelPackage says if it is still missing
