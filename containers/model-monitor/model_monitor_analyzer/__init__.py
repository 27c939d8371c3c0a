"""The emulator's Model Monitor analyzer: what AWS's `sagemaker-model-monitor-analyzer` image
does in a baselining job or a monitoring execution, without Spark (pandas and numpy).

A run is one processing job. Its environment (AWS's Model Monitor container contract, see
`environment.py`) says what to read and what to compare it with:

- data quality, baselining (no `baseline_constraints`): read the dataset (CSV with or
  without a header, JSON lines), write `statistics.json` and suggested `constraints.json`;
- data quality, monitoring: read the endpoint's capture files for the window
  (`start_time`..`end_time`), write `statistics.json`, `constraints.json` and
  `constraint_violations.json` against the baseline, publish CloudWatch metrics;
- model quality (`analysis_type=MODEL_QUALITY`): the same two modes for the model's
  metrics (regression, binary, multiclass), the captured predictions joined with ground
  truth records by inference id.

The pure parts import nothing but pandas and numpy and are tested without Docker:
`sketch` (a KLL quantile sketch), `distance` (drift distances), `statistics`,
`constraints`, `violations`, `model_quality`. `datasets` reads files, `cloudwatch` shapes
and sends metric data, `main` runs a job and reports its outcome in
/opt/ml/output/message (which becomes the processing job's ExitMessage, and so the
monitoring execution's status).
"""
