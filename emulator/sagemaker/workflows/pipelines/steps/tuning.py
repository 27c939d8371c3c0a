"""Tuning step: CreateHyperParameterTuningJob (names at most 32 characters); its properties
are DescribeHyperParameterTuningJob's answer with ListTrainingJobsForHyperParameterTuningJob's
TrainingJobSummaries, best first (what the SDK's `get_top_model_s3_uri(top_k)` reads as
`TrainingJobSummaries[top_k].TrainingJobName`)."""

from .jobs import JobKind, run_job


def trials(api, name: str, description: dict) -> dict:
    objective = description.get("HyperParameterTuningJobConfig", {}).get("HyperParameterTuningJobObjective", {})
    order = "Ascending" if objective.get("Type") == "Minimize" else "Descending"
    summaries, token = [], None
    while True:
        page = api("ListTrainingJobsForHyperParameterTuningJob", HyperParameterTuningJobName=name,
                   SortBy="FinalObjectiveMetricValue", SortOrder=order, MaxResults=100,
                   **({"NextToken": token} if token else {}))
        summaries += page.get("TrainingJobSummaries", [])
        token = page.get("NextToken")
        if not token:
            return {"TrainingJobSummaries": summaries}


TUNING = JobKind("HyperParameterTuningJob", "TuningJob", name_limit=32, more_properties=trials,
                 retries_internal_errors=False)


def run(attempt):
    return run_job(TUNING, attempt)
