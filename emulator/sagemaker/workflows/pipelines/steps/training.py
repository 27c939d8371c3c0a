"""Training step: CreateTrainingJob; its properties are DescribeTrainingJob's answer
(`Steps.<step>.ModelArtifacts.S3ModelArtifacts`, `FinalMetricDataList['<metric>'].Value`, ...).
The SDK's ModelStep repack step (`<name>-RepackModel-0`) is a training step like any other."""

from .jobs import JobKind, run_job

TRAINING = JobKind("TrainingJob", "TrainingJob", name_variable="TrainingJobName")


def run(attempt):
    return run_job(TRAINING, attempt)
