"""The stored documents of pipelines, their definition versions and their executions.

A pipeline's document is what DescribePipeline returns (its current definition included);
every CreatePipeline/UpdatePipeline also keeps the definition as a numbered version
(PipelineVersionId 1, 2, ...), which an execution runs and DescribePipelineDefinitionForExecution
returns. An execution's document is what DescribePipelineExecution returns, plus what no
output shape of Describe names and the shaping leaves out on the wire:

- PipelineName, ClientRequestToken, PipelineParameters (every parameter's value as a string,
  what ListPipelineParametersForExecution pages through), StartTime and
  PipelineExecutionFailureReason (ListPipelineExecutions' summary members);
- STEPS: the steps that started, each as ListPipelineExecutionSteps returns it, plus
  "Properties" (what `Get Steps.<name>.<path>` resolves against: the step's Describe answer),
  "CacheKey" (see cache.py) and "Branch" (a condition step's chosen branch).

Pipeline ARNs keep the name's case (AWS writes them so, unlike job ARNs).
"""

import re
from dataclasses import dataclass

from ....aws.errors import ResourceNotFound, ValidationException
from ....store import Store
from ...resources import Kind, Resources

STEPS = "Steps"
PIPELINE_STATUSES = ("Active",)
RUNNING = ("Executing", "Stopping")
TERMINAL = ("Stopped", "Failed", "Succeeded")
STEP_RUNNING = ("Starting", "Executing", "Stopping")

_PIPELINE_ARN = re.compile(r"arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:([0-9]{12}|aws):pipeline/(?P<name>[^/]+)")


@dataclass
class KeyedKind(Kind):
    """A kind whose store key is a member other than <Prefix>Name: executions are known by
    their ARN alone, definition versions by (pipeline, version)."""
    key: str = ""

    @property
    def name_key(self) -> str:
        return self.key


def _no_pipeline(noun: str, name: str) -> ResourceNotFound:
    return ResourceNotFound(f"Pipeline '{name}' does not exist.")


def _pipeline_taken(existing: dict) -> ValidationException:
    # The SDK's Pipeline.upsert() updates when CreatePipeline answers ValidationException
    # with "already exists" in the message.
    return ValidationException(f"Pipeline names must be unique within an AWS account and region. Pipeline "
                               f"with name ({existing['PipelineName']}) already exists.")


def _no_execution(noun: str, arn: str) -> ResourceNotFound:
    return ResourceNotFound(f"Pipeline execution '{arn}' does not exist.")


PIPELINE = Kind(kind="pipeline", noun="pipeline", prefix="Pipeline", list_key="PipelineSummaries",
                summary=("PipelineArn", "PipelineName", "PipelineDisplayName", "PipelineDescription", "RoleArn",
                         "CreationTime", "LastModifiedTime", "LastExecutionTime"),
                missing=_no_pipeline, duplicate=_pipeline_taken,
                extra_filters={"PipelineNamePrefix": lambda doc, prefix: doc["PipelineName"].startswith(prefix)})

PIPELINE_VERSION = KeyedKind(kind="pipeline-version", noun="pipeline version", prefix="PipelineVersion",
                             list_key="PipelineVersionSummaries", summary=(), key="VersionKey")

PIPELINE_EXECUTION = KeyedKind(kind="pipeline-execution", noun="pipeline execution", prefix="PipelineExecution",
                               list_key="PipelineExecutionSummaries",
                               summary=("PipelineExecutionArn", "StartTime", "PipelineExecutionStatus",
                                        "PipelineExecutionDescription", "PipelineExecutionDisplayName",
                                        "PipelineExecutionFailureReason"),
                               status="PipelineExecutionStatus", missing=_no_execution,
                               key="PipelineExecutionArn")


def pipeline_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:sagemaker:{region}:{account}:pipeline/{name}"


def execution_arn(pipeline: str, execution_id: str) -> str:
    return f"{pipeline}/execution/{execution_id}"


def version_key(pipeline_name: str, version_id: int) -> str:
    return f"{pipeline_name}/{version_id}"


def pipeline_name(name_or_arn: str) -> str:
    """PipelineNameOrArn members take either; the store knows pipelines by name."""
    match = _PIPELINE_ARN.fullmatch(name_or_arn)
    return match.group("name") if match else name_or_arn


def execution_id(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def step_record(doc: dict, name: str) -> dict | None:
    return next((s for s in doc.get(STEPS, []) if s["StepName"] == name), None)


class PipelineResources:
    """The three stored kinds; Tagging serves the pipelines'."""

    def __init__(self, store: Store):
        self.pipelines = Resources(store, PIPELINE)
        self.versions = Resources(store, PIPELINE_VERSION)
        self.executions = Resources(store, PIPELINE_EXECUTION)

    @property
    def taggable(self) -> list[Resources]:
        return [self.pipelines]
