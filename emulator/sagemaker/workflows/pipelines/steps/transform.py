"""Transform step: CreateTransformJob; its properties are DescribeTransformJob's answer
(`Steps.<step>.TransformOutput.S3OutputPath`)."""

from .jobs import JobKind, run_job

TRANSFORM = JobKind("TransformJob", "TransformJob")


def run(attempt):
    return run_job(TRANSFORM, attempt)
