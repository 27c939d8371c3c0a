"""SageMaker Pipelines through boto3 against the in-process emulator on the fake runner: real
processing and training jobs (fake images: programs writing files into /opt/ml), real S3,
the engine's ordering, parallelism, caching, stop, retries, callbacks through SQS, and a
restart during an execution. Every SageMaker answer is checked against its output shape."""

import json
import threading
import uuid

import pytest
from botocore.exceptions import ClientError

import pipeline_steps as steps
from fake_runner import TERMINATED, ServeProgram
from helpers import read_tar, wait_until
from in_process import BUCKET
from pipeline_steps import ROLE, get, join, output_uri

EXECUTION_TERMINAL = ("Succeeded", "Failed", "Stopped")
INTERRUPTED = "InternalServerError: the emulator stopped while this pipeline execution was running"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def create(sm, definition: str, **extra) -> str:
    name = unique("pipeline")
    sm.create_pipeline(PipelineName=name, PipelineDefinition=definition, RoleArn=ROLE, **extra)
    return name


def start(sm, pipeline: str, **parameters) -> str:
    return sm.start_pipeline_execution(
        PipelineName=pipeline, PipelineParameters=[{"Name": k, "Value": str(v)} for k, v in parameters.items()]
    )["PipelineExecutionArn"]


def finished(sm, arn: str, timeout: float = 30) -> dict:
    def terminal():
        desc = sm.describe_pipeline_execution(PipelineExecutionArn=arn)
        return desc if desc["PipelineExecutionStatus"] in EXECUTION_TERMINAL else None
    return wait_until(terminal, timeout, f"pipeline execution {arn} to end")


def steps_of(sm, arn: str) -> dict[str, dict]:
    listed = sm.list_pipeline_execution_steps(PipelineExecutionArn=arn)["PipelineExecutionSteps"]
    return {s["StepName"]: s for s in listed}


def step_status(sm, arn: str, step: str) -> str | None:
    return steps_of(sm, arn).get(step, {}).get("StepStatus")


def job_name(sm, kind: str, arn: str) -> str:
    """The name of the job a step's Metadata names (its ARN has the name in lower case)."""
    listed = getattr(sm, f"list_{kind}_jobs")(NameContains=arn.rsplit("/", 1)[1].split("-")[1], MaxResults=100)
    summaries = listed[f"{kind.title()}JobSummaries"]
    return next(s[f"{kind.title()}JobName"] for s in summaries if s[f"{kind.title()}JobArn"] == arn)


def out(prefix: str, name: str):
    """An output path under the execution's id, as the SDK writes one."""
    return join("s3:/", BUCKET, prefix, get("Execution.PipelineExecutionId"), name, on="/")


# -- the classic pipeline: preprocess -> train -> evaluate -> condition -> fail ----------------

@pytest.fixture
def classic(image, s3):
    """(definition, prefix): preprocessing doubles rows, training sums them, the condition compares
    the accuracy the evaluation wrote with the Threshold parameter, a Fail step joins a message."""
    prefix = unique("classic")
    s3.put_object(Bucket=BUCKET, Key=f"{prefix}/raw/rows.csv", Body=b"1\n2\n3\n")

    def preprocess(host):
        rows = [int(r) * 2 for r in (host.root / "processing/input/rows.csv").read_text().split()]
        (host.root / "processing/train/rows.csv").write_text("\n".join(map(str, rows)))
        host.print(f"preprocessed {len(rows)} rows")
        return 0

    def train(host):
        rows = (host.root / "input/data/train/rows.csv").read_text().split()
        (host.root / "model/model.json").write_text(json.dumps({"sum": sum(map(int, rows))}))
        return 0

    def evaluate(host):
        import tarfile
        with tarfile.open(host.root / "processing/model/model.tar.gz") as tar:
            total = json.load(tar.extractfile("model.json"))["sum"]
        (host.root / "processing/evaluation/evaluation.json").write_text(
            json.dumps({"metrics": {"accuracy": {"value": total / 100}}}))
        return 0
    evaluation = {"Std:JsonGet": {"PropertyFile": get("Steps.Evaluate.PropertyFiles.EvaluationReport"),
                                  "Path": "metrics.accuracy.value"}}
    definition = steps.definition(
        steps.processing("Preprocess", image(preprocess),
                         inputs=[("raw", get("Parameters.InputData"), "/opt/ml/processing/input")],
                         outputs=[("train", out(prefix, "train"), "/opt/ml/processing/train")]),
        steps.training("Train", image(train), f"s3://{BUCKET}/{prefix}/models",
                       channels=[("train", output_uri("Preprocess", "train"))]),
        steps.processing("Evaluate", image(evaluate),
                         inputs=[("model", get("Steps.Train.ModelArtifacts.S3ModelArtifacts"),
                                  "/opt/ml/processing/model")],
                         outputs=[("evaluation", out(prefix, "evaluation"), "/opt/ml/processing/evaluation")],
                         PropertyFiles=[{"PropertyFileName": "EvaluationReport", "OutputName": "evaluation",
                                         "FilePath": "evaluation.json"}]),
        steps.condition("CheckAccuracy", [{"Type": "GreaterThanOrEqualTo", "LeftValue": evaluation,
                                           "RightValue": get("Parameters.Threshold")}],
                        else_steps=[steps.fail("TooInaccurate", join(
                            "accuracy", evaluation, "is below", get("Parameters.Threshold"), on=" "))]),
        parameters=[{"Name": "InputData", "Type": "String", "DefaultValue": f"s3://{BUCKET}/{prefix}/raw"},
                    {"Name": "Threshold", "Type": "Float", "DefaultValue": 0.1}])
    return definition, prefix


def test_the_classic_pipeline_runs_its_jobs_in_order_and_succeeds(sm, s3, classic):
    definition, prefix = classic
    pipeline = create(sm, definition, PipelineDescription="the classic one")
    arn = start(sm, pipeline)

    desc = finished(sm, arn)

    assert desc["PipelineExecutionStatus"] == "Succeeded", desc.get("FailureReason")
    execution_id = arn.rsplit("/", 1)[1]
    assert desc["PipelineExperimentConfig"] == {"ExperimentName": pipeline.lower(), "TrialName": execution_id}
    listed = steps_of(sm, arn)
    assert {name: s["StepStatus"] for name, s in listed.items()} == {
        "Preprocess": "Succeeded", "Train": "Succeeded", "Evaluate": "Succeeded", "CheckAccuracy": "Succeeded"}
    assert listed["CheckAccuracy"]["Metadata"] == {"Condition": {"Outcome": "True"}}
    assert all(s["AttemptCount"] == 1 for s in listed.values())
    assert listed["Preprocess"]["EndTime"] <= listed["Train"]["StartTime"]
    assert listed["Train"]["EndTime"] <= listed["Evaluate"]["StartTime"] <= listed["Evaluate"]["EndTime"] <= \
        listed["CheckAccuracy"]["StartTime"]
    # The jobs are real jobs, named as Pipelines names them, their data in S3.
    training_arn = listed["Train"]["Metadata"]["TrainingJob"]["Arn"]
    job = sm.describe_training_job(TrainingJobName=job_name(sm, "training", training_arn))
    assert job["TrainingJobName"].startswith(f"pipelines-{execution_id}-Train-")
    channel = job["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"]
    assert channel == f"s3://{BUCKET}/{prefix}/{execution_id}/train"
    assert read_tar(s3, job["ModelArtifacts"]["S3ModelArtifacts"]) == {"model.json": b'{"sum": 12}'}
    assert s3.get_object(Bucket=BUCKET, Key=f"{prefix}/{execution_id}/evaluation/evaluation.json")["Body"].read() == \
        b'{"metrics": {"accuracy": {"value": 0.12}}}'
    processing = listed["Preprocess"]["Metadata"]["ProcessingJob"]["Arn"]
    assert sm.describe_processing_job(ProcessingJobName=job_name(sm, "processing", processing))[
        "ProcessingJobStatus"] == "Completed"
    summaries = sm.list_pipeline_executions(PipelineName=pipeline)["PipelineExecutionSummaries"]
    assert [(s["PipelineExecutionArn"], s["PipelineExecutionStatus"]) for s in summaries] == [(arn, "Succeeded")]
    assert sm.list_pipeline_parameters_for_execution(PipelineExecutionArn=arn)["PipelineParameters"] == [
        {"Name": "InputData", "Value": f"s3://{BUCKET}/{prefix}/raw"}, {"Name": "Threshold", "Value": "0.1"}]
    assert json.loads(sm.describe_pipeline_definition_for_execution(PipelineExecutionArn=arn)["PipelineDefinition"]) \
        == json.loads(definition)
    described = sm.describe_pipeline(PipelineName=pipeline)
    assert (described["PipelineStatus"], described["PipelineDescription"]) == ("Active", "the classic one")
    assert described["LastRunTime"] == desc["CreationTime"]


def test_the_classic_pipeline_fails_at_its_fail_step_with_the_joined_message(sm, classic):
    pipeline = create(sm, classic[0])
    arn = start(sm, pipeline, Threshold=0.5)

    desc = finished(sm, arn)

    assert (desc["PipelineExecutionStatus"], desc["FailureReason"]) == (
        "Failed", "Step failure: One or multiple steps failed.")
    listed = steps_of(sm, arn)
    assert listed["CheckAccuracy"]["Metadata"] == {"Condition": {"Outcome": "False"}}
    fail = listed["TooInaccurate"]
    assert (fail["StepStatus"], fail["FailureReason"]) == ("Failed", "accuracy 0.12 is below 0.5")
    assert fail["Metadata"] == {"Fail": {"ErrorMessage": "accuracy 0.12 is below 0.5"}}
    summary = sm.list_pipeline_executions(PipelineName=pipeline)["PipelineExecutionSummaries"][0]
    assert summary["PipelineExecutionFailureReason"] == "Step failure: One or multiple steps failed."
    with pytest.raises(ClientError) as error:
        sm.retry_pipeline_execution(PipelineExecutionArn=arn)
    assert error.value.response["Error"]["Code"] == "ConflictException"
    assert "Fail step" in error.value.response["Error"]["Message"]


# -- the other job steps: tuning, model, registration, batch transform -----------------------------

def test_tuning_model_registration_and_transform_steps_use_each_others_properties(sm, s3, image):
    from test_in_process_tuning import definition as trial_definition, train_parabola
    prefix, group = unique("deploy"), unique("group")  # the step makes the group, which does not exist yet
    s3.put_object(Bucket=BUCKET, Key=f"{prefix}/batch/rows.csv", Body=b"1\n2\n")

    def train(host):
        (host.root / "model/weights.txt").write_text("3")
        return 0
    doubler = image(ServeProgram(lambda request: (200, "text/csv", request.body + request.body)))
    model_data = get("Steps.Train.ModelArtifacts.S3ModelArtifacts")
    tune = {"Name": "Tune", "Type": "Tuning", "Arguments": {
        "HyperParameterTuningJobConfig": {
            "Strategy": "Random", "ResourceLimits": {"MaxNumberOfTrainingJobs": 2, "MaxParallelTrainingJobs": 2},
            "HyperParameterTuningJobObjective": {"Type": "Maximize", "MetricName": "objective"},
            "ParameterRanges": {"ContinuousParameterRanges": [{"Name": "x", "MinValue": "0", "MaxValue": "6"}]}},
        "TrainingJobDefinition": trial_definition(image(train_parabola), {"batch": "100"})}}
    register = {"Name": "Register", "Type": "RegisterModel", "Arguments": {
        "ModelPackageGroupName": group, "ModelApprovalStatus": "Approved",
        "CustomerMetadataProperties": {"best": get("Steps.Tune.BestTrainingJob.TrainingJobName")},
        "InferenceSpecification": {"Containers": [{"Image": doubler, "ModelDataUrl": model_data}],
                                   "SupportedContentTypes": ["text/csv"], "SupportedResponseMIMETypes": ["text/csv"]}}}
    model = {"Name": "Model", "Type": "Model", "Arguments": {
        "ExecutionRoleArn": ROLE, "PrimaryContainer": {"Image": doubler, "ModelDataUrl": model_data}}}
    transform = {"Name": "Transform", "Type": "Transform", "Arguments": {
        "ModelName": get("Steps.Model.ModelName"),
        "TransformInput": {"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix",
                                                           "S3Uri": f"s3://{BUCKET}/{prefix}/batch"}},
                           "ContentType": "text/csv"},
        "TransformOutput": {"S3OutputPath": f"s3://{BUCKET}/{prefix}/scored"},
        "TransformResources": {"InstanceCount": 1, "InstanceType": "ml.m5.large"}}}
    arn = start(sm, create(sm, steps.definition(steps.training("Train", image(train), f"s3://{BUCKET}/{prefix}/m"),
                                                tune, register, model, transform)))

    desc = finished(sm, arn, timeout=60)

    reasons = {n: s.get("FailureReason") for n, s in steps_of(sm, arn).items()}
    assert desc["PipelineExecutionStatus"] == "Succeeded", reasons
    listed = steps_of(sm, arn)
    package = sm.describe_model_package(ModelPackageName=listed["Register"]["Metadata"]["RegisterModel"]["Arn"])
    tuning = next(t for t in sm.list_hyper_parameter_tuning_jobs(MaxResults=100)["HyperParameterTuningJobSummaries"]
                  if t["HyperParameterTuningJobArn"] == listed["Tune"]["Metadata"]["TuningJob"]["Arn"])
    best = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=tuning["HyperParameterTuningJobName"])
    assert best["HyperParameterTuningJobName"].startswith("pipelines-")
    assert len(best["HyperParameterTuningJobName"]) <= 32
    assert package["CustomerMetadataProperties"] == {"best": best["BestTrainingJob"]["TrainingJobName"]}
    assert (package["ModelPackageGroupName"], package["ModelApprovalStatus"]) == (group, "Approved")
    model = next(m for m in sm.list_models(MaxResults=100)["Models"]
                 if m["ModelArn"] == listed["Model"]["Metadata"]["Model"]["Arn"])
    assert sm.describe_model(ModelName=model["ModelName"])["PrimaryContainer"]["ModelDataUrl"].endswith(
        "/output/model.tar.gz")
    assert listed["Transform"]["Metadata"]["TransformJob"]["Arn"].startswith("arn:aws:sagemaker:")
    scored = s3.get_object(Bucket=BUCKET, Key=f"{prefix}/scored/rows.csv.out")["Body"].read()
    assert scored == b"1\n2\n1\n2\n"


# -- parallelism ------------------------------------------------------------------------------------

def test_independent_steps_run_in_parallel_within_max_parallel_execution_steps(sm, image):
    lock, running, most = threading.Lock(), [0], [0]
    release = threading.Event()

    def hold(host):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        release.wait(20)
        with lock:
            running[0] -= 1
        return 0
    held, quick = image(hold), image(lambda host: 0)
    definition = steps.definition(
        steps.processing("A", quick), *(steps.processing(n, held, DependsOn=["A"]) for n in ("B", "C", "D")),
        steps.processing("Join", quick, DependsOn=["B", "C", "D"]))
    pipeline = create(sm, definition, ParallelismConfiguration={"MaxParallelExecutionSteps": 3})
    arn = sm.start_pipeline_execution(PipelineName=pipeline, ParallelismConfiguration={"MaxParallelExecutionSteps": 2})[
        "PipelineExecutionArn"]

    wait_until(lambda: running[0] == 2, 20, "two branches to run at once")
    release.set()
    desc = finished(sm, arn)

    assert desc["PipelineExecutionStatus"] == "Succeeded", desc.get("FailureReason")
    assert desc["ParallelismConfiguration"] == {"MaxParallelExecutionSteps": 2}
    assert most[0] == 2
    listed = steps_of(sm, arn)
    assert all(listed[b]["StartTime"] >= listed["A"]["EndTime"] for b in "BCD")
    assert listed["Join"]["StartTime"] >= max(listed[b]["EndTime"] for b in "BCD")


# -- caching ----------------------------------------------------------------------------------------

def test_a_step_whose_arguments_match_an_earlier_run_is_a_cache_hit(sm, s3, image):
    prefix, runs = unique("cached"), []

    def count(host):
        runs.append(host.name)
        (host.root / "processing/out/result.txt").write_text(f"run {len(runs)}")
        return 0
    cached = steps.processing("Cached", image(count), outputs=[("out", out(prefix, "out"), "/opt/ml/processing/out")],
                              CacheConfig={"Enabled": True, "ExpireAfter": "PT1H"})
    reader = steps.processing("Reader", image(lambda host: 0),
                              inputs=[("in", output_uri("Cached", "out"), "/opt/ml/processing/in")])
    pipeline = create(sm, steps.definition(cached, reader))
    first = start(sm, pipeline)
    assert finished(sm, first)["PipelineExecutionStatus"] == "Succeeded"

    second = start(sm, pipeline)

    assert finished(sm, second)["PipelineExecutionStatus"] == "Succeeded"
    assert len(runs) == 1  # the processing job ran once
    hit, source = steps_of(sm, second)["Cached"], steps_of(sm, first)["Cached"]
    assert hit["CacheHitResult"] == {"SourcePipelineExecutionArn": first}
    assert "CacheHitResult" not in source
    assert hit["Metadata"] == source["Metadata"]  # the first execution's job
    # The reader of its output read the first execution's output.
    reader_job = job_name(sm, "processing", steps_of(sm, second)["Reader"]["Metadata"]["ProcessingJob"]["Arn"])
    uri = sm.describe_processing_job(ProcessingJobName=reader_job)["ProcessingInputs"][0]["S3Input"]["S3Uri"]
    assert uri == f"s3://{BUCKET}/{prefix}/{first.rsplit('/', 1)[1]}/out"


# -- stop -------------------------------------------------------------------------------------------

def test_stop_stops_the_running_job_and_starts_nothing_more(sm, image):
    def wait_for_stop(host):
        host.wait_for_stop()
        return TERMINATED
    definition = steps.definition(steps.processing("Long", image(wait_for_stop)),
                                  steps.processing("After", image(lambda host: 0), DependsOn=["Long"]))
    arn = start(sm, create(sm, definition))
    wait_until(lambda: step_status(sm, arn, "Long") == "Executing", 10, "the step's job to run")
    job = job_name(sm, "processing", steps_of(sm, arn)["Long"]["Metadata"]["ProcessingJob"]["Arn"])
    wait_until(lambda: sm.describe_processing_job(ProcessingJobName=job).get("ProcessingStartTime"), 10,
               "the job's container to start")

    sm.stop_pipeline_execution(PipelineExecutionArn=arn)

    status = sm.describe_pipeline_execution(PipelineExecutionArn=arn)["PipelineExecutionStatus"]
    assert status in ("Stopping", "Stopped")
    desc = finished(sm, arn)
    assert desc["PipelineExecutionStatus"] == "Stopped"
    assert list(steps_of(sm, arn)) == ["Long"]
    assert steps_of(sm, arn)["Long"]["StepStatus"] == "Stopped"
    assert sm.describe_processing_job(ProcessingJobName=job)["ProcessingJobStatus"] == "Stopped"
    with pytest.raises(ClientError) as error:
        sm.stop_pipeline_execution(PipelineExecutionArn=arn)
    assert error.value.response["Error"]["Code"] == "ConflictException"


# -- retries ----------------------------------------------------------------------------------------

def test_a_retry_policy_runs_a_job_again_after_an_internal_error(sm, image):
    attempts = []

    def lost_once(host):
        attempts.append(host.name)
        return None if len(attempts) == 1 else 0  # None: the container vanished (InternalServerError)
    policy = {"ExceptionType": ["SageMaker.JOB_INTERNAL_ERROR"], "IntervalSeconds": 0, "BackoffRate": 2.0,
              "MaxAttempts": 2}
    arn = start(sm, create(sm, steps.definition(steps.training("Train", image(lost_once), f"s3://{BUCKET}/retry",
                                                               RetryPolicies=[policy]))))

    desc = finished(sm, arn)

    assert desc["PipelineExecutionStatus"] == "Succeeded", desc.get("FailureReason")
    step = steps_of(sm, arn)["Train"]
    assert (step["StepStatus"], step["AttemptCount"]) == ("Succeeded", 2)
    assert len(attempts) == 2


def test_a_failure_no_policy_lists_is_not_retried(sm, image):
    policy = {"ExceptionType": ["SageMaker.CAPACITY_ERROR"], "MaxAttempts": 3}
    arn = start(sm, create(sm, steps.definition(steps.training("Train", image(lambda host: 3), f"s3://{BUCKET}/r",
                                                               RetryPolicies=[policy]))))

    assert finished(sm, arn)["PipelineExecutionStatus"] == "Failed"
    step = steps_of(sm, arn)["Train"]
    assert (step["StepStatus"], step["AttemptCount"]) == ("Failed", 1)
    assert step["FailureReason"].startswith("AlgorithmError")


def test_retry_pipeline_execution_runs_again_what_failed_and_keeps_what_succeeded(sm, image):
    first_runs, flaky_runs = [], []

    def first(host):
        first_runs.append(1)
        return 0

    def flaky(host):
        flaky_runs.append(1)
        return 1 if len(flaky_runs) == 1 else 0
    definition = steps.definition(steps.processing("First", image(first)),
                                  steps.processing("Flaky", image(flaky), DependsOn=["First"]))
    arn = start(sm, create(sm, definition))
    assert finished(sm, arn)["PipelineExecutionStatus"] == "Failed"
    failed_job = steps_of(sm, arn)["Flaky"]["Metadata"]["ProcessingJob"]["Arn"]

    assert sm.retry_pipeline_execution(PipelineExecutionArn=arn)["PipelineExecutionArn"] == arn

    desc = finished(sm, arn)
    assert desc["PipelineExecutionStatus"] == "Succeeded", desc.get("FailureReason")
    assert "FailureReason" not in desc
    listed = steps_of(sm, arn)
    assert (listed["First"]["AttemptCount"], listed["Flaky"]["AttemptCount"]) == (1, 2)
    assert listed["Flaky"]["Metadata"]["ProcessingJob"]["Arn"] != failed_job
    assert (len(first_runs), len(flaky_runs)) == (1, 2)
    with pytest.raises(ClientError) as error:
        sm.retry_pipeline_execution(PipelineExecutionArn=arn)
    assert error.value.response["Error"]["Code"] == "ConflictException"


# -- callback steps ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sqs(in_process):
    return in_process.client("sqs")


def callback_pipeline(sm, queue_url: str) -> str:
    callback = {"Name": "Approve", "Type": "Callback", "SqsQueueUrl": queue_url,
                "Arguments": {"model": get("Parameters.Model"), "threshold": 0.5},
                "OutputParameters": [{"OutputName": "score", "OutputType": "Float"},
                                     {"OutputName": "note", "OutputType": "String"}]}
    score = get("Steps.Approve.OutputParameters['score']")
    check = steps.condition("Check", [{"Type": "GreaterThan", "LeftValue": score, "RightValue": 0.5}],
                            else_steps=[steps.fail("Rejected", join("rejected:", get(
                                "Steps.Approve.OutputParameters['note']"), on=" "))])
    return create(sm, steps.definition(callback, check, parameters=[
        {"Name": "Model", "Type": "String", "DefaultValue": "churn-v1"}]))


def message(sqs, queue_url: str) -> dict:
    received = wait_until(lambda: sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1).get("Messages"), 10,
                          "the callback step's message")
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=received[0]["ReceiptHandle"])
    return json.loads(received[0]["Body"])


def test_a_callback_step_sends_its_message_and_waits_for_success(sm, sqs):
    queue_url = sqs.create_queue(QueueName=unique("callbacks"))["QueueUrl"]
    arn = start(sm, callback_pipeline(sm, queue_url), Model="churn-v2")

    body = message(sqs, queue_url)

    assert body == {"token": body["token"], "pipelineExecutionArn": arn,
                    "arguments": {"model": "churn-v2", "threshold": 0.5}, "status": "Executing"}
    assert len(body["token"]) == 10 and body["token"].isalnum()
    waiting = steps_of(sm, arn)["Approve"]
    assert waiting["StepStatus"] == "Executing"
    assert waiting["Metadata"] == {"Callback": {"CallbackToken": body["token"], "SqsQueueUrl": queue_url}}
    outputs = [{"Name": "score", "Value": "0.3"}, {"Name": "note", "Value": "too risky"}]
    assert sm.send_pipeline_execution_step_success(CallbackToken=body["token"], OutputParameters=outputs)[
        "PipelineExecutionArn"] == arn

    desc = finished(sm, arn)
    assert desc["PipelineExecutionStatus"] == "Failed"
    listed = steps_of(sm, arn)
    assert listed["Approve"]["StepStatus"] == "Succeeded"
    assert listed["Approve"]["Metadata"]["Callback"]["OutputParameters"] == outputs
    assert listed["Rejected"]["FailureReason"] == "rejected: too risky"
    with pytest.raises(ClientError) as error:  # the step no longer waits
        sm.send_pipeline_execution_step_success(CallbackToken=body["token"])
    assert error.value.response["Error"]["Code"] == "ConflictException"
    with pytest.raises(ClientError) as error:
        sm.send_pipeline_execution_step_failure(CallbackToken="0123456789", FailureReason="x")
    assert error.value.response["Error"]["Code"] == "ResourceNotFound"


def test_a_callback_step_stopped_says_so_in_the_queue_and_fails_on_failure(sm, sqs):
    queue_url = sqs.create_queue(QueueName=unique("callbacks"))["QueueUrl"]
    arn = start(sm, callback_pipeline(sm, queue_url))
    token = message(sqs, queue_url)["token"]

    sm.stop_pipeline_execution(PipelineExecutionArn=arn)

    stopping = message(sqs, queue_url)
    assert (stopping["token"], stopping["status"]) == (token, "Stopping")
    wait_until(lambda: step_status(sm, arn, "Approve") == "Stopping", 10, "the step to be Stopping")
    assert sm.describe_pipeline_execution(PipelineExecutionArn=arn)["PipelineExecutionStatus"] == "Stopping"
    sm.send_pipeline_execution_step_failure(CallbackToken=token, FailureReason="cleaned up")
    assert finished(sm, arn)["PipelineExecutionStatus"] == "Stopped"
    assert steps_of(sm, arn)["Approve"]["FailureReason"] == "cleaned up"


def test_a_callback_to_a_queue_that_does_not_exist_fails_the_step(sm, in_process):
    arn = start(sm, callback_pipeline(sm, f"{in_process.url}/123456789012/{unique('missing')}"))

    assert finished(sm, arn)["PipelineExecutionStatus"] == "Failed"
    assert "The specified queue does not exist." in steps_of(sm, arn)["Approve"]["FailureReason"]


@pytest.mark.parametrize("target, body, code", [
    ("AmazonSQS.SendMessage", b"{", "SerializationException"),
    ("AmazonSQS.CreateQueue", b'{"QueueName": {"a": 1}}', "SerializationException"),
    ("AmazonSQS.CreateQueue", b"{}", "InvalidParameterValue"),
    ("AmazonSQS.ReceiveMessage", b'{"QueueUrl": "x", "MaxNumberOfMessages": "many"}', "SerializationException"),
    ("AmazonSQS.NoSuchThing", b"{}", "UnknownOperationException"),
])
def test_the_emulators_sqs_answers_malformed_requests_with_aws_errors(in_process, target, body, code):
    """moto's SQS answers these with a 500; the JSON edge checks them against botocore's model first."""
    import urllib3
    authorization = ("AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/sqs/aws4_request, SignedHeaders=host, "
                     f"Signature={'0' * 64}")
    response = urllib3.connection_from_url(in_process.url, retries=False).urlopen("POST", "/", body=body, headers={
        "X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.0", "Authorization": authorization})

    assert response.status == 400
    assert json.loads(response.data)["__type"] == code


# -- steps that are not emulated --------------------------------------------------------------------

def test_lambda_and_not_emulated_steps_fail_naming_what_they_are(sm):
    lambda_step = {"Name": "Split", "Type": "Lambda", "Arguments": {"x": 1},
                   "FunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:split", "OutputParameters": []}
    check = {"Name": "Quality", "Type": "QualityCheck", "Arguments": {}}
    arn = start(sm, create(sm, steps.definition(lambda_step, check)))

    assert finished(sm, arn)["PipelineExecutionStatus"] == "Failed"
    listed = steps_of(sm, arn)
    assert "Lambda steps are not emulated" in listed["Split"]["FailureReason"]
    assert "function:split" in listed["Split"]["FailureReason"]
    assert "QualityCheck steps are not emulated" in listed["Quality"]["FailureReason"]


# -- the API's answers ------------------------------------------------------------------------------

def error_of(call, **request) -> tuple[str, str]:
    with pytest.raises(ClientError) as error:
        call(**request)
    return error.value.response["Error"]["Code"], error.value.response["Error"]["Message"]


def test_pipelines_are_listed_updated_versioned_tagged_and_deleted(sm, image):
    quick = image(lambda host: 0)
    name = create(sm, steps.definition(steps.processing("One", quick)), Tags=[{"Key": "team", "Value": "ml"}])
    arn = sm.describe_pipeline(PipelineName=name)["PipelineArn"]
    assert arn == f"arn:aws:sagemaker:us-east-1:123456789012:pipeline/{name}"

    updated = sm.update_pipeline(PipelineName=name, PipelineDefinition=steps.definition(steps.processing("Two", quick)),
                                 PipelineDisplayName="Second")
    assert updated == {"PipelineArn": arn, "PipelineVersionId": 2, **{"ResponseMetadata": updated["ResponseMetadata"]}}
    current = json.loads(sm.describe_pipeline(PipelineName=arn)["PipelineDefinition"])
    assert [s["Name"] for s in current["Steps"]] == ["Two"]
    first = sm.describe_pipeline(PipelineName=name, PipelineVersionId=1)["PipelineDefinition"]
    assert [s["Name"] for s in json.loads(first)["Steps"]] == ["One"]
    execution = sm.start_pipeline_execution(PipelineName=name, PipelineVersionId=1, PipelineExecutionDisplayName="old",
                                            PipelineExecutionDescription="on version 1")["PipelineExecutionArn"]
    desc = finished(sm, execution)
    assert (desc["PipelineVersionId"], desc["PipelineExecutionDisplayName"]) == (1, "old")
    assert list(steps_of(sm, execution)) == ["One"]
    sm.update_pipeline_execution(PipelineExecutionArn=execution, PipelineExecutionDescription="renamed")
    assert sm.describe_pipeline_execution(PipelineExecutionArn=execution)["PipelineExecutionDescription"] == "renamed"
    listed = sm.list_pipelines(PipelineNamePrefix=name)["PipelineSummaries"]
    assert [(p["PipelineName"], p["PipelineDisplayName"]) for p in listed] == [(name, "Second")]
    assert sm.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "ml"}]

    assert sm.delete_pipeline(PipelineName=name)["PipelineArn"] == arn
    assert error_of(sm.describe_pipeline, PipelineName=name) == ("ResourceNotFound",
                                                                 f"Pipeline '{arn}' does not exist.")
    assert error_of(sm.describe_pipeline_execution, PipelineExecutionArn=execution)[0] == "ResourceNotFound"


def test_start_is_idempotent_with_a_client_request_token(sm, image):
    name = create(sm, steps.definition(steps.processing("One", image(lambda host: 0))))
    token = uuid.uuid4().hex

    first = sm.start_pipeline_execution(PipelineName=name, ClientRequestToken=token)["PipelineExecutionArn"]
    again = sm.start_pipeline_execution(PipelineName=name, ClientRequestToken=token)["PipelineExecutionArn"]

    assert first == again
    assert len(sm.list_pipeline_executions(PipelineName=name)["PipelineExecutionSummaries"]) == 1
    finished(sm, first)


@pytest.mark.parametrize("call, request_, code, words", [
    ("describe_pipeline", {"PipelineName": "no-such-pipeline"}, "ResourceNotFound", "does not exist"),
    ("start_pipeline_execution", {"PipelineName": "no-such-pipeline"}, "ResourceNotFound", "does not exist"),
    ("list_pipeline_executions", {"PipelineName": "no-such-pipeline"}, "ResourceNotFound", "does not exist"),
    ("describe_pipeline_execution", {
        "PipelineExecutionArn": "arn:aws:sagemaker:us-east-1:123456789012:pipeline/p/execution/nope"},
     "ResourceNotFound", "does not exist"),
    ("create_pipeline", {"PipelineName": "bad-definition", "RoleArn": ROLE, "PipelineDefinition": "{"},
     "ValidationException", "not valid JSON"),
    ("create_pipeline", {"PipelineName": "no-definition", "RoleArn": ROLE}, "ValidationException",
     "Either PipelineDefinition or PipelineDefinitionS3Location"),
    ("create_pipeline", {"PipelineName": "missing-s3", "RoleArn": ROLE, "PipelineDefinitionS3Location": {
        "Bucket": BUCKET, "ObjectKey": "no/such/definition.json"}}, "ValidationException", "does not exist"),
])
def test_bad_requests_answer_as_aws_does(sm, call, request_, code, words):
    got_code, message = error_of(getattr(sm, call), **request_)
    assert got_code == code
    assert words in message


def test_a_pipeline_name_twice_and_bad_parameters_are_refused(sm, s3, image):
    key = f"{unique('definitions')}/pipeline.json"
    definition = steps.definition(steps.processing("One", image(lambda host: 0)),
                                  parameters=[{"Name": "Count", "Type": "Integer", "DefaultValue": 1}])
    s3.put_object(Bucket=BUCKET, Key=key, Body=definition.encode())
    name = unique("from-s3")
    sm.create_pipeline(PipelineName=name, RoleArn=ROLE,
                       PipelineDefinitionS3Location={"Bucket": BUCKET, "ObjectKey": key})
    assert json.loads(sm.describe_pipeline(PipelineName=name)["PipelineDefinition"]) == json.loads(definition)

    code, message = error_of(sm.create_pipeline, PipelineName=name, RoleArn=ROLE, PipelineDefinition=definition)
    assert code == "ValidationException" and "already exists" in message  # what the SDK's upsert() matches
    code, message = error_of(sm.start_pipeline_execution, PipelineName=name,
                             PipelineParameters=[{"Name": "Count", "Value": "many"}])
    assert (code, message) == ("ValidationException", "Value 'many' of parameter 'Count' is not a Integer")


# -- restart (in test_in_process_restart.py's emulators: a pair of them costs ~25 s) ------------

def start_parked_pipeline(sm, image: str, bucket: str, pipeline: str) -> None:
    """An execution of a new pipeline whose training step's job runs (on a program that never ends)."""
    sm.create_pipeline(PipelineName=pipeline, RoleArn=ROLE, PipelineDefinition=steps.definition(
        steps.training("Train", image, f"s3://{bucket}/models"),
        steps.processing("After", image, DependsOn=["Train"])))
    arn = start(sm, pipeline)
    wait_until(lambda: step_status(sm, arn, "Train") == "Executing", 10, "the training step to run")


def assert_interrupted(sm, pipeline: str) -> None:
    """What a new emulator shows of that execution: failed with the emulator, as its job did."""
    arn = sm.list_pipeline_executions(PipelineName=pipeline)["PipelineExecutionSummaries"][0]["PipelineExecutionArn"]
    desc = sm.describe_pipeline_execution(PipelineExecutionArn=arn)
    assert (desc["PipelineExecutionStatus"], desc["FailureReason"]) == ("Failed", INTERRUPTED)
    listed = steps_of(sm, arn)
    assert list(listed) == ["Train"]
    assert (listed["Train"]["StepStatus"], listed["Train"]["FailureReason"]) == ("Failed", INTERRUPTED)
    assert "EndTime" in listed["Train"]
    job = job_name(sm, "training", listed["Train"]["Metadata"]["TrainingJob"]["Arn"])
    assert sm.describe_training_job(TrainingJobName=job)["TrainingJobStatus"] == "Failed"
    # It can be run again: what failed runs anew.
    assert sm.retry_pipeline_execution(PipelineExecutionArn=arn)["PipelineExecutionArn"] == arn
    wait_until(lambda: steps_of(sm, arn)["Train"]["AttemptCount"] == 2, 10, "the training step to run again")
    sm.stop_pipeline_execution(PipelineExecutionArn=arn)
