"""The Pipelines operations: one method per operation (methods()), each taking the validated
request and answering the output shape's dict.

Errors as AWS answers them: an unknown pipeline or execution is ResourceNotFound ("Pipeline
'<name>' does not exist."), a definition the service refuses a ValidationException naming
the problem, and an operation the execution's state does not allow (stopping a finished
execution, retrying a running one, deleting a pipeline that runs) ConflictException, which
the model declares for exactly those operations.
"""

import threading
import time

from ....aws.errors import ResourceNotFound, ServiceError, ValidationException
from ....backing.objects import BadS3Uri, ObjectMissing
from ...paging import page
from ...resources import list_page
from ...tagging import Tagging
from .definition import Definition, parse
from .engine import Answer, PipelineEngine, new_execution_id
from .expressions import ExpressionError, Scope, evaluate, render
from .resources import (RUNNING, STEPS, PipelineResources, execution_arn, execution_id, pipeline_arn,
                        pipeline_name, version_key)

OPERATIONS = ("create_pipeline", "update_pipeline", "describe_pipeline", "list_pipelines", "delete_pipeline",
              "start_pipeline_execution", "describe_pipeline_execution", "list_pipeline_executions",
              "list_pipeline_execution_steps", "list_pipeline_parameters_for_execution",
              "describe_pipeline_definition_for_execution", "stop_pipeline_execution", "retry_pipeline_execution",
              "update_pipeline_execution", "send_pipeline_execution_step_success",
              "send_pipeline_execution_step_failure")
LIST_DEFAULT = 50  # ListPipelineExecutionSteps / ListPipelineParametersForExecution page size
_UNSUPPORTED = {"SelectiveExecutionConfig": "selective execution", "PipelineVersionAlias": "pipeline version aliases",
                "PipelineVersionAliases": "pipeline version aliases"}


class ConflictException(ServiceError):
    code = "ConflictException"


class PipelinesApi:
    def __init__(self, resources: PipelineResources, tagging: Tagging, api, objects, queues, region: str,
                 account: str, poll_seconds: float | None = None):
        """api: SageMakerApi (what steps call); objects: ObjectStore (definitions in S3, property
        files); queues: SQS (callback steps)."""
        self.pipelines = resources.pipelines
        self.versions = resources.versions
        self.executions = resources.executions
        self.tagging = tagging
        self.objects = objects
        self.region = region
        self.account = account
        self.engine = PipelineEngine(self.executions, self.definition_of, api, objects, queues,
                                     **({"poll_seconds": poll_seconds} if poll_seconds else {}))
        self._parsed: dict[str, Definition] = {}
        self._start_lock = threading.Lock()

    def methods(self) -> dict:
        return {name: getattr(self, name) for name in OPERATIONS}

    def restore(self) -> None:
        self.engine.restore()

    def close(self) -> None:
        self.engine.close()

    # -- definitions ----------------------------------------------------------------------------

    def definition_of(self, execution: dict) -> Definition:
        key = version_key(execution["PipelineName"], execution["PipelineVersionId"])
        if key not in self._parsed:
            self._parsed[key] = parse(self.versions.get(key)["PipelineDefinition"])
        return self._parsed[key]

    def _definition_text(self, request: dict, required: bool) -> str | None:
        given = [m for m in ("PipelineDefinition", "PipelineDefinitionS3Location") if request.get(m) is not None]
        if len(given) == 2:
            raise ValidationException("PipelineDefinition and PipelineDefinitionS3Location cannot both be specified")
        if not given:
            if required:
                raise ValidationException("Either PipelineDefinition or PipelineDefinitionS3Location must be specified")
            return None
        if given[0] == "PipelineDefinition":
            return request["PipelineDefinition"]
        location = request["PipelineDefinitionS3Location"]
        uri = f"s3://{location['Bucket']}/{location['ObjectKey']}"
        try:
            return self.objects.read(uri).decode("utf-8")
        except (ObjectMissing, BadS3Uri, FileNotFoundError):
            raise ValidationException(f"PipelineDefinitionS3Location: {uri} does not exist")
        except UnicodeDecodeError:
            raise ValidationException(f"PipelineDefinitionS3Location: {uri} is not UTF-8 text")

    def _version(self, pipeline: dict, version: int) -> dict:
        stored = self.versions.find(version_key(pipeline["PipelineName"], version))
        if stored is None:
            raise ResourceNotFound(f"Pipeline version {version} of pipeline '{pipeline['PipelineArn']}' does not exist.")
        return stored

    def _new_version(self, name: str, version: int, text: str, now: float) -> None:
        self.versions.add({"VersionKey": version_key(name, version), "PipelineName": name,
                           "PipelineVersionId": version, "PipelineDefinition": text, "CreationTime": now})

    # -- pipelines --------------------------------------------------------------------------------

    def _pipeline(self, name_or_arn: str) -> dict:
        name = pipeline_name(name_or_arn)
        doc = self.pipelines.find(name)
        if doc is None:
            raise ResourceNotFound(f"Pipeline '{pipeline_arn(self.region, self.account, name)}' does not exist.")
        return doc

    @staticmethod
    def _refuse_unsupported(request: dict) -> None:
        for member, what in _UNSUPPORTED.items():
            if request.get(member):
                raise ValidationException(f"{member}: {what} are not supported by the emulator")

    def create_pipeline(self, request: dict) -> dict:
        self._refuse_unsupported(request)
        name = request["PipelineName"]
        existing = self.pipelines.find(name)
        if existing is not None and existing.get("ClientRequestToken") == request["ClientRequestToken"]:
            return {"PipelineArn": existing["PipelineArn"]}  # the same request again
        text = self._definition_text(request, required=True)
        parse(text)
        now = time.time()
        doc = {"PipelineArn": pipeline_arn(self.region, self.account, name), "PipelineName": name,
               "PipelineDisplayName": request.get("PipelineDisplayName", name), "PipelineDefinition": text,
               "RoleArn": request["RoleArn"], "PipelineStatus": "Active", "CreationTime": now,
               "LastModifiedTime": now, "PipelineVersionId": 1, "ClientRequestToken": request["ClientRequestToken"],
               **{k: request[k] for k in ("PipelineDescription", "ParallelismConfiguration") if k in request}}
        self.pipelines.add(doc)
        self._new_version(name, 1, text, now)
        self.tagging.tag_new(doc["PipelineArn"], request)
        return {"PipelineArn": doc["PipelineArn"]}

    def update_pipeline(self, request: dict) -> dict:
        self._refuse_unsupported(request)
        doc = self._pipeline(request["PipelineName"])
        text = self._definition_text(request, required=False)
        if text is not None:
            parse(text)
        now = time.time()

        def change(d):
            d["PipelineVersionId"] += 1
            if text is not None:
                d["PipelineDefinition"] = text
            for member in ("PipelineDisplayName", "PipelineDescription", "RoleArn", "ParallelismConfiguration"):
                if member in request:
                    d[member] = request[member]
        updated = self.pipelines.update(doc["PipelineName"], change)
        self._new_version(doc["PipelineName"], updated["PipelineVersionId"], updated["PipelineDefinition"], now)
        return {"PipelineArn": doc["PipelineArn"], "PipelineVersionId": updated["PipelineVersionId"]}

    def describe_pipeline(self, request: dict) -> dict:
        self._refuse_unsupported(request)
        doc = self._pipeline(request["PipelineName"])
        if request.get("PipelineVersionId") is None:
            return doc
        return {**doc, "PipelineDefinition": self._version(doc, request["PipelineVersionId"])["PipelineDefinition"]}

    def list_pipelines(self, request: dict) -> dict:
        return list_page(self.pipelines.all(), _list_request(request), self.pipelines.kind)

    def delete_pipeline(self, request: dict) -> dict:
        doc = self._pipeline(request["PipelineName"])
        executions = [e for e in self.executions.all() if e["PipelineArn"] == doc["PipelineArn"]]
        running = [e["PipelineExecutionArn"] for e in executions if e["PipelineExecutionStatus"] in RUNNING]
        if running:
            raise ConflictException(f"Pipeline '{doc['PipelineArn']}' has executions running ({', '.join(running)}): "
                                    "stop them (StopPipelineExecution) before deleting it")
        for execution in executions:
            self.executions.remove(execution["PipelineExecutionArn"])
        for version in range(1, doc["PipelineVersionId"] + 1):
            self.versions.remove(version_key(doc["PipelineName"], version))
        tags = self.tagging.store.tags(doc["PipelineArn"])
        self.tagging.store.remove_tags(doc["PipelineArn"], [t["Key"] for t in tags])
        self.pipelines.remove(doc["PipelineName"])
        return {"PipelineArn": doc["PipelineArn"]}

    # -- executions -------------------------------------------------------------------------------

    def _execution(self, arn: str) -> dict:
        return self.executions.get(arn)

    def start_pipeline_execution(self, request: dict) -> dict:
        self._refuse_unsupported(request)
        pipeline = self._pipeline(request["PipelineName"])
        with self._start_lock:  # so that one ClientRequestToken starts one execution
            for doc in self.executions.all():
                if doc["PipelineArn"] == pipeline["PipelineArn"] and \
                        doc.get("ClientRequestToken") == request["ClientRequestToken"]:
                    return {"PipelineExecutionArn": doc["PipelineExecutionArn"]}
            doc = self._new_execution(pipeline, request)
            self.executions.add(doc)
        self.pipelines.update(pipeline["PipelineName"], lambda d: d.update(LastRunTime=doc["CreationTime"],
                                                                             LastExecutionTime=doc["CreationTime"]))
        self.engine.launch(doc["PipelineExecutionArn"])
        return {"PipelineExecutionArn": doc["PipelineExecutionArn"]}

    def _new_execution(self, pipeline: dict, request: dict) -> dict:
        version = self._version(pipeline, request.get("PipelineVersionId", pipeline["PipelineVersionId"]))[
            "PipelineVersionId"]
        now = time.time()
        arn = execution_arn(pipeline["PipelineArn"], new_execution_id())
        doc = {"PipelineArn": pipeline["PipelineArn"], "PipelineName": pipeline["PipelineName"],
               "PipelineExecutionArn": arn, "PipelineVersionId": version,
               "PipelineExecutionDisplayName": request.get("PipelineExecutionDisplayName",
                                                           f"execution-{int(now * 1000)}"),
               "PipelineExecutionStatus": "Executing", "CreationTime": now, "StartTime": now, "LastModifiedTime": now,
               "RoleArn": request.get("RoleArn", pipeline["RoleArn"]),
               "ClientRequestToken": request["ClientRequestToken"], STEPS: []}
        for member in ("PipelineExecutionDescription",):
            if member in request:
                doc[member] = request[member]
        parallelism = request.get("ParallelismConfiguration") or pipeline.get("ParallelismConfiguration")
        if parallelism:
            doc["ParallelismConfiguration"] = parallelism
        definition = self.definition_of(doc)
        values = definition.values({p["Name"]: p["Value"] for p in request.get("PipelineParameters", [])})
        doc["PipelineParameters"] = [{"Name": name, "Value": render(value)} for name, value in values.items()]
        if definition.experiment:
            doc["PipelineExperimentConfig"] = _experiment(definition, values, doc)
        return doc

    def describe_pipeline_execution(self, request: dict) -> dict:
        return self._execution(request["PipelineExecutionArn"])

    def list_pipeline_executions(self, request: dict) -> dict:
        pipeline = self._pipeline(request["PipelineName"])
        self._refuse_unsupported(request)
        docs = [d for d in self.executions.all() if d["PipelineArn"] == pipeline["PipelineArn"]]
        translated = _list_request(request)
        if request.get("SortBy") == "PipelineExecutionArn":
            translated["SortBy"] = "Name"
        return list_page(docs, translated, self.executions.kind)

    def list_pipeline_execution_steps(self, request: dict) -> dict:
        if not request.get("PipelineExecutionArn"):
            raise ValidationException("PipelineExecutionArn must be specified")
        doc = self._execution(request["PipelineExecutionArn"])
        steps = sorted(doc.get(STEPS, []), key=lambda s: s["StartTime"],
                       reverse=request.get("SortOrder", "Descending") == "Descending")
        chunk, token = page(steps, request.get("MaxResults"), request.get("NextToken"), default=LIST_DEFAULT)
        return {"PipelineExecutionSteps": chunk, **({"NextToken": token} if token else {})}

    def list_pipeline_parameters_for_execution(self, request: dict) -> dict:
        doc = self._execution(request["PipelineExecutionArn"])
        chunk, token = page(doc.get("PipelineParameters", []), request.get("MaxResults"), request.get("NextToken"),
                            default=LIST_DEFAULT)
        return {"PipelineParameters": chunk, **({"NextToken": token} if token else {})}

    def describe_pipeline_definition_for_execution(self, request: dict) -> dict:
        doc = self._execution(request["PipelineExecutionArn"])
        version = self.versions.get(version_key(doc["PipelineName"], doc["PipelineVersionId"]))
        return {"PipelineDefinition": version["PipelineDefinition"], "CreationTime": version["CreationTime"]}

    def stop_pipeline_execution(self, request: dict) -> dict:
        arn = request["PipelineExecutionArn"]
        doc = self._execution(arn)
        status = doc["PipelineExecutionStatus"]
        if status == "Executing":
            self.executions.update(arn, lambda d: d.update(PipelineExecutionStatus="Stopping")
                                   if d["PipelineExecutionStatus"] == "Executing" else None)
            self.engine.stop(arn)
        elif status != "Stopping":
            raise ConflictException(f"Pipeline execution '{arn}' is {status}: only an Executing execution can be "
                                    "stopped")
        return {"PipelineExecutionArn": arn}

    def retry_pipeline_execution(self, request: dict) -> dict:
        arn = request["PipelineExecutionArn"]
        doc = self._execution(arn)
        if doc["PipelineExecutionStatus"] not in ("Failed", "Stopped") or self.engine.running(arn):
            raise ConflictException(f"Pipeline execution '{arn}' is {doc['PipelineExecutionStatus']}: only a Failed or "
                                    "Stopped execution can be retried")
        definition = self.definition_of(doc)
        fail_steps = [s["StepName"] for s in doc.get(STEPS, []) if s["StepStatus"] == "Failed"
                      and definition.steps.get(s["StepName"]) and definition.steps[s["StepName"]].type == "Fail"]
        if fail_steps:
            raise ConflictException(f"Pipeline execution '{arn}' ended at Fail step {fail_steps[0]}: an execution "
                                    "that ends with a Fail step cannot be retried")

        def change(d):
            d["PipelineExecutionStatus"] = "Executing"
            d.pop("FailureReason", None)
            d.pop("PipelineExecutionFailureReason", None)
            if request.get("ParallelismConfiguration"):
                d["ParallelismConfiguration"] = request["ParallelismConfiguration"]
        self.executions.update(arn, change)
        self.engine.launch(arn)
        return {"PipelineExecutionArn": arn}

    def update_pipeline_execution(self, request: dict) -> dict:
        arn = request["PipelineExecutionArn"]
        self._execution(arn)
        members = ("PipelineExecutionDescription", "PipelineExecutionDisplayName", "ParallelismConfiguration")
        self.executions.update(arn, lambda d: d.update({m: request[m] for m in members if m in request}))
        return {"PipelineExecutionArn": arn}

    def send_pipeline_execution_step_success(self, request: dict) -> dict:
        return self._answer(request["CallbackToken"], Answer(outputs=list(request.get("OutputParameters", []))))

    def send_pipeline_execution_step_failure(self, request: dict) -> dict:
        return self._answer(request["CallbackToken"], Answer(failure_reason=request.get("FailureReason", "")))

    def _answer(self, token: str, answer: Answer) -> dict:
        arn = self.engine.callbacks.deliver(token, answer)
        if arn is not None:
            return {"PipelineExecutionArn": arn}
        for doc in self.executions.all():
            for record in doc.get(STEPS, []):
                if record.get("Metadata", {}).get("Callback", {}).get("CallbackToken") == token:
                    raise ConflictException(f"The callback step {record['StepName']} of pipeline execution "
                                            f"'{doc['PipelineExecutionArn']}' is {record['StepStatus']}, not waiting "
                                            "for an answer")
        raise ResourceNotFound(f"No callback step waits for the CallbackToken '{token}'.")


def _list_request(request: dict) -> dict:
    """ListPipelines/ListPipelineExecutions' filters in the terms of resources.list_page."""
    translated = {k: v for k, v in request.items() if k not in ("CreatedAfter", "CreatedBefore")}
    if request.get("CreatedAfter") is not None:
        translated["CreationTimeAfter"] = request["CreatedAfter"]
    if request.get("CreatedBefore") is not None:
        translated["CreationTimeBefore"] = request["CreatedBefore"]
    return translated


def _experiment(definition: Definition, values: dict, doc: dict) -> dict:
    """PipelineExperimentConfig evaluated at start (ExperimentName in lower case, as AWS shows it)."""
    scope = Scope(values, {"PipelineName": doc["PipelineName"], "PipelineArn": doc["PipelineArn"],
                           "PipelineExecutionId": execution_id(doc["PipelineExecutionArn"]),
                           "PipelineExecutionArn": doc["PipelineExecutionArn"]})
    config = {}
    for member in ("ExperimentName", "TrialName"):
        if definition.experiment.get(member) is not None:
            try:
                config[member] = render(evaluate(definition.experiment[member], scope))
            except ExpressionError as error:
                raise ValidationException(f"PipelineExperimentConfig.{member}: {error}")
    if "ExperimentName" in config:
        config["ExperimentName"] = config["ExperimentName"].lower()
    return config
