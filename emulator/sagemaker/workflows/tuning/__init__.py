"""Hyperparameter tuning jobs: job.py (the resource and its trials' summaries), checks.py (the
request's rules), api.py (the operations and the rules after a restart), driver.py (a thread per
tuning job), and pure modules the driver asks: parameter_space.py (ranges and scales),
strategies.py (Random, Grid, Bayesian), early_stopping.py (the median rule, Hyperband),
completion.py (completion criteria); objective_series.py reads the trials' intermediate objective
values from CloudWatch. The one write outside the operations: api.mark_as_trial (TuningJobArn).
"""
