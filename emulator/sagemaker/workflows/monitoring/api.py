"""Model Monitor's operations (a provider part, see provider.py): data and model quality job
definitions, monitoring schedules, their executions; and the scheduler's life
(scheduler.py) across emulator restarts.

A schedule needs an endpoint that captures its data (DescribeEndpoint through `api`, as a
user would look); a job definition a schedule names cannot be deleted (ResourceInUse), as the
SDK expects ("Job definition is locked by schedule"). Deleting a schedule keeps its execution
history. Job definitions have no Update on AWS; schedules do (back to Pending, then
Scheduled).
"""

import time

from ....aws.errors import ResourceInUse, ServiceError, ValidationException
from ....backing.objects import ObjectStore
from ....store import Store
from ...resources import Resources
from ...tagging import Tagging
from . import documents, schedules
from .documents import DATA_QUALITY, DEFINITION_KINDS, MODEL_QUALITY
from .executions import ExecutionError, ExecutionPlanner
from .scheduler import MonitoringScheduler

_TYPE_PREFIXES = {DATA_QUALITY: "data_quality", MODEL_QUALITY: "model_quality"}


class MonitoringResources:
    """Where Model Monitor's documents are kept (made before Tagging, which serves them too)."""

    def __init__(self, store: Store):
        self.definitions = {t: Resources(store, kind) for t, kind in DEFINITION_KINDS.items()}
        self.schedules = Resources(store, documents.MONITORING_SCHEDULE)
        self.executions = Resources(store, documents.MONITORING_EXECUTION)

    @property
    def taggable(self) -> list[Resources]:
        return [*self.definitions.values(), self.schedules]


class MonitoringOperations:
    def __init__(self, resources: MonitoringResources, tagging: Tagging, api, objects: ObjectStore, region: str,
                 account: str, hour_seconds: float):
        """api: SageMakerApi (the operations a user calls); hour_seconds: how long a schedule
        hour lasts (schedules.py)."""
        self.definitions = resources.definitions
        self.schedules = resources.schedules
        self.executions = resources.executions
        self.tagging = tagging
        self.api = api
        self.region = region
        self.account = account
        clock = schedules.Clock(hour_seconds)
        self.scheduler = MonitoringScheduler(self.schedules, self.executions, self._scheduled_definition,
                                             ExecutionPlanner(api, objects, clock), api, clock)

    def methods(self) -> dict:
        methods = {}
        for monitoring_type, prefix in _TYPE_PREFIXES.items():
            methods.update({
                f"create_{prefix}_job_definition": lambda r, t=monitoring_type: self.create_definition(t, r),
                f"describe_{prefix}_job_definition": lambda r, t=monitoring_type: self.describe_definition(t, r),
                f"list_{prefix}_job_definitions": lambda r, t=monitoring_type: self.list_definitions(t, r),
                f"delete_{prefix}_job_definition": lambda r, t=monitoring_type: self.delete_definition(t, r)})
        for name in ("create_monitoring_schedule", "describe_monitoring_schedule", "list_monitoring_schedules",
                     "update_monitoring_schedule", "delete_monitoring_schedule", "start_monitoring_schedule",
                     "stop_monitoring_schedule", "list_monitoring_executions"):
            methods[name] = getattr(self, name)
        return methods

    # -- the emulator's life -------------------------------------------------------------------

    def restore(self) -> None:
        """After the jobs' own restore (a processing job the restart ended is Failed by then)."""
        self.scheduler.start()

    def close(self) -> None:
        self.scheduler.close()

    # -- job definitions ----------------------------------------------------------------------

    def create_definition(self, monitoring_type: str, request: dict) -> dict:
        doc = documents.new_definition(monitoring_type, request, self.region, self.account, time.time())
        self.definitions[monitoring_type].add(doc)
        self.tagging.tag_new(doc["JobDefinitionArn"], request)
        return {"JobDefinitionArn": doc["JobDefinitionArn"]}

    def describe_definition(self, monitoring_type: str, request: dict) -> dict:
        return self.definitions[monitoring_type].get(request["JobDefinitionName"])

    def list_definitions(self, monitoring_type: str, request: dict) -> dict:
        answer = self.definitions[monitoring_type].query(request)
        answer["JobDefinitionSummaries"] = [
            {"MonitoringJobDefinitionName": d["JobDefinitionName"], "MonitoringJobDefinitionArn": d["JobDefinitionArn"],
             "CreationTime": d["CreationTime"], "EndpointName": d.get("EndpointName", "")}
            for d in answer["JobDefinitionSummaries"]]
        return answer

    def delete_definition(self, monitoring_type: str, request: dict) -> dict:
        name = request["JobDefinitionName"]
        doc = self.definitions[monitoring_type].get(name)
        users = [s["MonitoringScheduleName"] for s in self.schedules.all()
                 if s.get("MonitoringJobDefinitionName") == name and s["MonitoringType"] == monitoring_type]
        if users:
            raise ResourceInUse(f"Job definition {doc['JobDefinitionArn']} is in use by monitoring schedule "
                                f"{', '.join(users)}: delete the schedule first")
        self._remove(self.definitions[monitoring_type], name, doc["JobDefinitionArn"])
        return {}

    def _remove(self, resources: Resources, name: str, resource_arn: str) -> None:
        resources.remove(name)
        self.tagging.store.remove_tags(resource_arn, [t["Key"] for t in self.tagging.store.tags(resource_arn)])

    # -- schedules ------------------------------------------------------------------------------

    def _definition(self, config: dict, monitoring_type: str) -> dict:
        """The job a schedule config runs, in the inline shape (ValidationException when it
        names a job definition that is not there)."""
        if config.get("MonitoringJobDefinition"):
            return config["MonitoringJobDefinition"]
        name = config["MonitoringJobDefinitionName"]
        doc = self.definitions[monitoring_type].find(name)
        if doc is None:
            raise ValidationException(f"No {DEFINITION_KINDS[monitoring_type].noun} named {name}: "
                                      f"MonitoringJobDefinitionName must name one of type {monitoring_type}")
        return documents.definition_of(monitoring_type, doc)

    def _scheduled_definition(self, schedule: dict) -> dict:
        """For the scheduler: the definition as it is now (ExecutionError once it is gone)."""
        try:
            return self._definition(schedule["MonitoringScheduleConfig"], schedule["MonitoringType"])
        except ServiceError as exc:
            raise ExecutionError(exc.message)

    def _checked(self, config: dict) -> tuple[str, dict]:
        monitoring_type = documents.check_schedule_config(config)
        definition = self._definition(config, monitoring_type)
        schedules.check(config.get("ScheduleConfig"), definition["MonitoringInputs"][0]["EndpointInput"])
        endpoint = definition["MonitoringInputs"][0]["EndpointInput"]["EndpointName"]
        capture = self.api("DescribeEndpoint", EndpointName=endpoint).get("DataCaptureConfig") or {}
        if not capture.get("EnableCapture"):
            raise ValidationException(f"Endpoint {endpoint} does not capture its data: monitor an endpoint whose "
                                      "endpoint configuration has a DataCaptureConfig with EnableCapture")
        return monitoring_type, definition

    def create_monitoring_schedule(self, request: dict) -> dict:
        monitoring_type, definition = self._checked(request["MonitoringScheduleConfig"])
        doc = documents.new_schedule(request, definition, monitoring_type, self.region, self.account, time.time())
        self.schedules.add(doc)
        self.tagging.tag_new(doc["MonitoringScheduleArn"], request)
        self.scheduler.wake()
        return {"MonitoringScheduleArn": doc["MonitoringScheduleArn"]}

    def describe_monitoring_schedule(self, request: dict) -> dict:
        doc = dict(self.schedules.get(request["MonitoringScheduleName"]))
        mine = [e for e in self.executions.all() if e["MonitoringScheduleName"] == doc["MonitoringScheduleName"]
                and e["CreationTime"] >= doc["CreationTime"]]
        if mine:
            latest = max(mine, key=lambda e: (e["ScheduledTime"], e["CreationTime"]))
            doc["LastMonitoringExecutionSummary"] = {k: latest[k] for k in documents.MONITORING_EXECUTION.summary
                                                     if k in latest}
        return doc

    def list_monitoring_schedules(self, request: dict) -> dict:
        return self.schedules.query(request)

    def update_monitoring_schedule(self, request: dict) -> dict:
        name = request["MonitoringScheduleName"]
        self.schedules.get(name)
        config = request["MonitoringScheduleConfig"]
        monitoring_type, definition = self._checked(config)

        def change(doc):
            documents.reconfigure(doc, config, definition)
            doc["MonitoringType"] = monitoring_type
        doc = self.schedules.update(name, change)
        self.scheduler.wake()
        return {"MonitoringScheduleArn": doc["MonitoringScheduleArn"]}

    def delete_monitoring_schedule(self, request: dict) -> dict:
        doc = self.schedules.get(request["MonitoringScheduleName"])
        self._remove(self.schedules, doc["MonitoringScheduleName"], doc["MonitoringScheduleArn"])
        self.scheduler.wake()
        return {}

    def start_monitoring_schedule(self, request: dict) -> dict:
        name = request["MonitoringScheduleName"]
        if self.schedules.get(name)["MonitoringScheduleStatus"] == documents.STOPPED:
            self.schedules.update(name, lambda doc: doc.update(MonitoringScheduleStatus=documents.PENDING))
            self.scheduler.wake()
        return {}

    def stop_monitoring_schedule(self, request: dict) -> dict:
        name = request["MonitoringScheduleName"]
        self.schedules.get(name)
        self.schedules.update(name, lambda doc: doc.update(MonitoringScheduleStatus=documents.STOPPED))
        return {}

    def list_monitoring_executions(self, request: dict) -> dict:
        return self.executions.query(request)
