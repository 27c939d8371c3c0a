"""Model Monitor's resources: data and model quality job definitions, monitoring schedules and
their executions, as documents (what Describe* returns) with the rules a request must meet.

A job definition is the template of a monitoring job (image, input, output, resources); a
schedule runs one on a cron expression, named (`MonitoringJobDefinitionName` and
`MonitoringType`) or inline (`MonitoringJobDefinition`, a data quality job). Either way the
scheduler (scheduler.py) sees one shape, `job_definition()`'s: the inline one's.

Members a document keeps that its Describe output shape does not name are never answered
(the protocol shapes every answer): `EndpointName` at the top of a job definition (for its
List summary and filter), `MonitoringJobDefinitionName` at the top of a schedule,
`OneTimeRunPending` (a NOW schedule that has still to run), an execution's
`MonitoringExecutionName` (its processing job's name, the store key).
"""

import posixpath

from ....aws.errors import ResourceInUse, ResourceNotFound, ValidationException
from ....execution.contract import PROCESSING_ROOT
from ...arns import arn
from ...resources import Kind
from . import schedules

DATA_QUALITY = "DataQuality"
MODEL_QUALITY = "ModelQuality"
SCHEDULED, PENDING, STOPPED, FAILED = "Scheduled", "Pending", "Stopped", "Failed"
ONE_TIME_RUN_PENDING = "OneTimeRunPending"
EXECUTION_NAME = "MonitoringExecutionName"
# Execution statuses that may still change (the scheduler follows their processing jobs).
RUNNING = ("Pending", "InProgress", "Stopping")
COMPLETED, COMPLETED_WITH_VIOLATIONS = "Completed", "CompletedWithViolations"
DEFAULT_MAX_RUNTIME = 3600  # a monitoring job's MaxRuntimeInSeconds unless the definition sets one


def _equals(member: str):
    return lambda doc, value: doc.get(member) == value


def _definition_kind(kind: str, noun: str) -> Kind:
    return Kind(kind=kind, noun=noun, prefix="JobDefinition", list_key="JobDefinitionSummaries",
                summary=("JobDefinitionName", "JobDefinitionArn", "CreationTime", "EndpointName"),
                missing=lambda noun, name: ResourceNotFound(f"Job definition {name} does not exist."),
                duplicate=lambda doc: ResourceInUse(f"Job definition {doc['JobDefinitionArn']} already exists."),
                extra_filters={"EndpointName": _equals("EndpointName")})


DATA_QUALITY_JOB_DEFINITION = _definition_kind("data-quality-job-definition", "data quality job definition")
MODEL_QUALITY_JOB_DEFINITION = _definition_kind("model-quality-job-definition", "model quality job definition")
DEFINITION_KINDS = {DATA_QUALITY: DATA_QUALITY_JOB_DEFINITION, MODEL_QUALITY: MODEL_QUALITY_JOB_DEFINITION}

MONITORING_SCHEDULE = Kind(
    kind="monitoring-schedule", noun="monitoring schedule", prefix="MonitoringSchedule",
    list_key="MonitoringScheduleSummaries",
    summary=("MonitoringScheduleName", "MonitoringScheduleArn", "CreationTime", "LastModifiedTime",
             "MonitoringScheduleStatus", "EndpointName", "MonitoringJobDefinitionName", "MonitoringType"),
    status="MonitoringScheduleStatus",
    # The SDK waits for a deleted schedule with DescribeMonitoringSchedule and catches ResourceNotFound.
    missing=lambda noun, name: ResourceNotFound(f"Monitoring Schedule {name} does not exist."),
    duplicate=lambda doc: ResourceInUse(f"Monitoring Schedule {doc['MonitoringScheduleArn']} already exists."),
    extra_filters={"EndpointName": _equals("EndpointName"),
                   "MonitoringJobDefinitionName": _equals("MonitoringJobDefinitionName"),
                   "MonitoringTypeEquals": _equals("MonitoringType")})

MONITORING_EXECUTION = Kind(
    kind="monitoring-execution", noun="monitoring execution", prefix="MonitoringExecution",
    list_key="MonitoringExecutionSummaries",
    summary=("MonitoringScheduleName", "ScheduledTime", "CreationTime", "LastModifiedTime",
             "MonitoringExecutionStatus", "ProcessingJobArn", "EndpointName", "FailureReason",
             "MonitoringJobDefinitionName", "MonitoringType"),
    status="MonitoringExecutionStatus",
    sort_keys={"ScheduledTime": "ScheduledTime"},
    extra_filters={"MonitoringScheduleName": _equals("MonitoringScheduleName"),
                   "EndpointName": _equals("EndpointName"),
                   "MonitoringJobDefinitionName": _equals("MonitoringJobDefinitionName"),
                   "MonitoringTypeEquals": _equals("MonitoringType"),
                   "ScheduledTimeBefore": lambda doc, t: doc["ScheduledTime"] < t,
                   "ScheduledTimeAfter": lambda doc, t: doc["ScheduledTime"] > t})

# The request members of a job definition, by monitoring type: (baseline, app, input, output).
_SECTIONS = {DATA_QUALITY: ("DataQualityBaselineConfig", "DataQualityAppSpecification", "DataQualityJobInput",
                            "DataQualityJobOutputConfig"),
             MODEL_QUALITY: ("ModelQualityBaselineConfig", "ModelQualityAppSpecification", "ModelQualityJobInput",
                             "ModelQualityJobOutputConfig")}
_DEFINITION_ECHOED = ("JobResources", "NetworkConfig", "RoleArn", "StoppingCondition")
_APP_MEMBERS = ("ImageUri", "ContainerEntrypoint", "ContainerArguments", "RecordPreprocessorSourceUri",
                "PostAnalyticsProcessorSourceUri")


# -- job definitions -----------------------------------------------------------------------

def new_definition(monitoring_type: str, request: dict, region: str, account: str, now: float) -> dict:
    baseline, app, job_input, output = _SECTIONS[monitoring_type]
    check_definition(definition_of(monitoring_type, request), (job_input, output, app), monitoring_type)
    name = request["JobDefinitionName"]
    doc = {k: request[k] for k in (baseline, app, job_input, output, *_DEFINITION_ECHOED) if k in request}
    doc.update({"JobDefinitionName": name, "JobDefinitionArn": arn(region, account, DEFINITION_KINDS[
        monitoring_type].kind, name), "CreationTime": now,
                "EndpointName": request[job_input].get("EndpointInput", {}).get("EndpointName", "")})
    return doc


def definition_of(monitoring_type: str, doc: dict) -> dict:
    """A job definition (request or document) in the inline MonitoringJobDefinition shape,
    plus ProblemType for model quality."""
    baseline, app, job_input, output = _SECTIONS[monitoring_type]
    spec = doc.get(app, {})
    inputs = dict(doc.get(job_input, {}))
    ground_truth = inputs.pop("GroundTruthS3Input", None)
    definition = {"MonitoringInputs": [inputs], "MonitoringOutputConfig": doc.get(output, {}),
                  "MonitoringResources": doc.get("JobResources", {}),
                  "MonitoringAppSpecification": {k: spec[k] for k in _APP_MEMBERS if k in spec},
                  "RoleArn": doc.get("RoleArn")}
    for source, target in ((baseline, "BaselineConfig"), ("StoppingCondition", "StoppingCondition"),
                           ("NetworkConfig", "NetworkConfig")):
        if doc.get(source):
            definition[target] = doc[source]
    if spec.get("Environment"):
        definition["Environment"] = spec["Environment"]
    if ground_truth is not None:
        definition["GroundTruthS3Input"] = ground_truth
    if spec.get("ProblemType"):
        definition["ProblemType"] = spec["ProblemType"]
    return definition


INLINE = tuple(f"MonitoringScheduleConfig.MonitoringJobDefinition.{m}"
               for m in ("MonitoringInputs", "MonitoringOutputConfig", "MonitoringAppSpecification"))


def check_definition(definition: dict, where: tuple[str, str, str], monitoring_type: str) -> None:
    """What the botocore model cannot say about a monitoring job; `where` names its input,
    output and app specification members in the request, for the messages."""
    job_input, output_config, app = where
    inputs = definition["MonitoringInputs"]
    if len(inputs) != 1 or len([k for k in ("EndpointInput", "BatchTransformInput") if inputs[0].get(k)]) != 1:
        raise ValidationException(f"{job_input} must have exactly one of EndpointInput and BatchTransformInput")
    if inputs[0].get("BatchTransformInput"):
        raise ValidationException(f"{job_input}: BatchTransformInput (monitoring a batch transform job's captured "
                                  "data) is not supported by the emulator yet; use EndpointInput")
    endpoint_input = inputs[0]["EndpointInput"]
    _local_path(f"{job_input}.EndpointInput.LocalPath", endpoint_input["LocalPath"])
    for output in definition["MonitoringOutputConfig"].get("MonitoringOutputs", []):
        _local_path(f"{output_config}.MonitoringOutputs.S3Output.LocalPath", output["S3Output"]["LocalPath"])
    for member in ("StartTimeOffset", "EndTimeOffset"):
        if endpoint_input.get(member):
            schedules.offset_seconds(endpoint_input[member], f"{job_input}.EndpointInput.{member}")
    if monitoring_type == MODEL_QUALITY:
        if not definition.get("ProblemType"):
            raise ValidationException(f"{app}.ProblemType must be specified (BinaryClassification, "
                                      "MulticlassClassification or Regression)")
        if not (definition.get("GroundTruthS3Input") or {}).get("S3Uri"):
            raise ValidationException(f"{job_input}.GroundTruthS3Input.S3Uri must be specified: where the "
                                      "ground truth labels are")


def _local_path(member: str, path: str) -> None:
    if not path.startswith(PROCESSING_ROOT + "/") or posixpath.normpath(path) != path.rstrip("/"):
        raise ValidationException(f"{member} '{path}' must be an absolute path under {PROCESSING_ROOT}/")


# -- schedules -------------------------------------------------------------------------------

def new_schedule(request: dict, definition: dict, monitoring_type: str, region: str, account: str,
                 now: float) -> dict:
    """A schedule of `definition` (its job definition in the inline shape, see definition_of)."""
    name = request["MonitoringScheduleName"]
    config = request["MonitoringScheduleConfig"]
    doc = {"MonitoringScheduleName": name, "MonitoringScheduleArn": arn(region, account, "monitoring-schedule", name),
           "MonitoringScheduleStatus": PENDING, "MonitoringType": monitoring_type, "CreationTime": now,
           "LastModifiedTime": now}
    reconfigure(doc, config, definition)
    return doc


def reconfigure(doc: dict, config: dict, definition: dict) -> None:
    """A schedule's new MonitoringScheduleConfig (create and update): Pending until the
    scheduler takes it up again."""
    doc["MonitoringScheduleConfig"] = config
    doc["EndpointName"] = definition["MonitoringInputs"][0]["EndpointInput"]["EndpointName"]
    if config.get("MonitoringJobDefinitionName"):
        doc["MonitoringJobDefinitionName"] = config["MonitoringJobDefinitionName"]
    else:
        doc.pop("MonitoringJobDefinitionName", None)
    doc["MonitoringScheduleStatus"] = PENDING
    doc[ONE_TIME_RUN_PENDING] = schedules.is_one_time(config.get("ScheduleConfig"))
    doc.pop("FailureReason", None)


def check_schedule_config(config: dict) -> str:
    """The monitoring type the config is of; ValidationException for a config AWS refuses."""
    inline, named = config.get("MonitoringJobDefinition"), config.get("MonitoringJobDefinitionName")
    if bool(inline) == bool(named):
        raise ValidationException("MonitoringScheduleConfig must have either MonitoringJobDefinition or "
                                  "MonitoringJobDefinitionName (with MonitoringType), not both")
    monitoring_type = config.get("MonitoringType") or DATA_QUALITY
    if monitoring_type not in DEFINITION_KINDS:
        raise ValidationException(f"MonitoringType {monitoring_type} is not supported by the emulator yet "
                                  f"(DataQuality and ModelQuality are)")
    if inline and monitoring_type != DATA_QUALITY:
        raise ValidationException("An inline MonitoringJobDefinition is a data quality job: MonitoringType must be "
                                  "DataQuality (give a MonitoringJobDefinitionName for the other types)")
    if inline:
        check_definition(inline, INLINE, DATA_QUALITY)
    schedules.check(config.get("ScheduleConfig"))
    return monitoring_type


# -- executions ------------------------------------------------------------------------------

def new_execution(name: str, schedule: dict, scheduled: float, now: float) -> dict:
    return {EXECUTION_NAME: name, "MonitoringScheduleName": schedule["MonitoringScheduleName"],
            "ScheduledTime": scheduled, "CreationTime": now, "LastModifiedTime": now,
            "MonitoringExecutionStatus": "Pending", "EndpointName": schedule["EndpointName"],
            "MonitoringType": schedule["MonitoringType"],
            **({"MonitoringJobDefinitionName": schedule["MonitoringJobDefinitionName"]}
               if schedule.get("MonitoringJobDefinitionName") else {})}


def execution_status(job: dict) -> dict:
    """An execution's status (and FailureReason) from its processing job's description: a
    completed job says whether it found violations in its ExitMessage (the analyzer writes
    "CompletedWithViolations: ..."); a failed one says why there, or in its FailureReason."""
    status, message = job["ProcessingJobStatus"], job.get("ExitMessage", "")
    if status == COMPLETED:
        return {"MonitoringExecutionStatus": COMPLETED_WITH_VIOLATIONS
                if message.startswith(COMPLETED_WITH_VIOLATIONS) else COMPLETED}
    if status == FAILED:
        return {"MonitoringExecutionStatus": FAILED,
                "FailureReason": (message or job.get("FailureReason") or "The processing job failed")[:1024]}
    return {"MonitoringExecutionStatus": status}
