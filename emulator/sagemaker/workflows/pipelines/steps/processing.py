"""Processing step: CreateProcessingJob; its properties are DescribeProcessingJob's answer
(`Steps.<step>.ProcessingOutputConfig.Outputs['<name>'].S3Output.S3Uri`, what PropertyFiles are read under)."""

from .jobs import JobKind, run_job

PROCESSING = JobKind("ProcessingJob", "ProcessingJob", name_variable="ProcessingJobName")


def run(attempt):
    return run_job(PROCESSING, attempt)
