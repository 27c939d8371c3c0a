"""Workflows: what drives jobs on the user's behalf (hyperparameter tuning, pipelines,
monitoring schedules).

A workflow sits above the job kinds and reaches them only through the operations a user
calls (CreateTrainingJob, DescribeProcessingJob, StopTrainingJob, ...), validated and
shaped as over HTTP: `SageMakerApi` is that one door. So what a tuning job or a pipeline
starts is exactly what the user could have started, and a job kind never knows which
workflow, if any, asked for it.

Hyperparameter tuning: tuning.py (the resource and its trials), tuning_checks.py (the request's
rules), tuning_api.py (the operations, restart), tuning_driver.py (a thread per tuning job),
and pure modules the driver asks: parameter_space.py (ranges and scales), strategies.py
(Random, Grid, Bayesian), early_stopping.py (the median rule, Hyperband), completion.py
(completion criteria); objective_series.py reads the trials' intermediate objective values
from CloudWatch. The one write outside the operations: tuning_api.mark_as_trial (TuningJobArn).
"""
