"""Workflows: what drives jobs on the user's behalf (hyperparameter tuning, pipelines,
monitoring schedules).

A workflow sits above the job kinds and reaches them only through the operations a user
calls (CreateTrainingJob, DescribeProcessingJob, StopTrainingJob, ...), validated and
shaped as over HTTP: `SageMakerApi` is that one door. So what a tuning job or a pipeline
starts is exactly what the user could have started, and a job kind never knows which
workflow, if any, asked for it.

Each workflow is a package: tuning/ (hyperparameter tuning jobs), pipelines/ (SageMaker
Pipelines), monitoring/ (Model Monitor's job definitions and schedules). Each has its resource
documents, its API part (the operations, with `methods()`), and the thread that drives one
instance (a tuning job's trials, a pipeline execution's steps, a schedule's executions).
"""
