"""The SageMaker API: one method per operation, named as the operation is.

Each method takes the validated request (a dict shaped as the botocore input shape) and
returns the output shape's dict. HTTP, JSON and error wire formats are the gateway's.
"""

import time

from ..aws.errors import ValidationException, not_found
from ..store import Store
from . import search
from .inference import endpoint_configs, endpoints, models
from .jobs import training as training_jobs, transform as transform_jobs
from .inference.endpoint_configs import ENDPOINT_CONFIG
from .inference.endpoints import EndpointService
from .paging import page
from .resources import Resources
from .jobs.service import JobService
from .jobs.training_worker import TrainingWorker
from .jobs.transform_worker import TransformWorker


class SageMakerProvider:
    def __init__(self, store: Store, worker: TrainingWorker, hosting: EndpointService,
                 transforms: TransformWorker, job_service: JobService, region: str, account: str):
        self.store = store
        self.jobs = worker.jobs
        self.worker = worker
        self.job_service = job_service
        self.hosting = hosting
        self.models = transforms.models
        self.configs = Resources(store, ENDPOINT_CONFIG)
        self.endpoints = hosting.endpoints
        self.transforms = transforms
        self.transform_jobs = transforms.jobs
        self.region = region
        self.account = account

    # -- training jobs -------------------------------------------------------------------

    def create_training_job(self, request: dict) -> dict:
        doc = training_jobs.new_document(request, self.region, self.account, time.time())
        self.jobs.add(doc)
        self._tag(doc["TrainingJobArn"], request)
        self.worker.launch(doc["TrainingJobName"])
        return {"TrainingJobArn": doc["TrainingJobArn"]}

    def describe_training_job(self, request: dict) -> dict:
        return self.jobs.get(request["TrainingJobName"])

    def list_training_jobs(self, request: dict) -> dict:
        return self.jobs.query(request)

    def search(self, request: dict) -> dict:
        resource = request["Resource"]
        if resource not in search.SEARCHABLE:
            raise ValidationException(f"Search with Resource {resource} is not supported by the emulator; "
                                      f"it searches {', '.join(sorted(search.SEARCHABLE))}.")
        tags = self.store.all_tags()

        def with_tags(doc: dict) -> dict:
            return {**doc, "Tags": tags.get(doc["TrainingJobArn"], [])}
        # Every job carries its tags only when the expression or the sort names one; otherwise
        # only the page returned does (no copy of every job).
        tagged = search.uses_tags(request)
        records = [with_tags(d) for d in self.jobs.all()] if tagged else self.jobs.all()
        records = [r for r in records if search.matches(r, request.get("SearchExpression"))]
        records.sort(key=search.sort_key(request.get("SortBy", "LastModifiedTime")),
                     reverse=request.get("SortOrder", "Descending") == "Descending")
        chunk, token = page(records, request.get("MaxResults"), request.get("NextToken"))
        answer = {"Results": [{"TrainingJob": r if tagged else with_tags(r)} for r in chunk],
                  "TotalHits": {"Value": len(records), "Relation": "EqualTo"}}
        if token:
            answer["NextToken"] = token
        return answer

    def stop_training_job(self, request: dict) -> dict:
        self.job_service.stop(self.worker, request["TrainingJobName"])
        return {}

    # -- models ----------------------------------------------------------------------------

    def create_model(self, request: dict) -> dict:
        doc = models.new_document(request, self.region, self.account, time.time())
        self.models.add(doc)
        self._tag(doc["ModelArn"], request)
        return {"ModelArn": doc["ModelArn"]}

    def describe_model(self, request: dict) -> dict:
        return self.models.get(request["ModelName"])

    def list_models(self, request: dict) -> dict:
        return self.models.query(request)

    def delete_model(self, request: dict) -> dict:
        self.models.get(request["ModelName"])
        self.models.remove(request["ModelName"])
        return {}

    # -- endpoint configs ------------------------------------------------------------------

    def create_endpoint_config(self, request: dict) -> dict:
        doc = endpoint_configs.new_document(request, self.region, self.account, time.time(),
                                            model_exists=lambda name: self.models.find(name) is not None)
        self.configs.add(doc)
        self._tag(doc["EndpointConfigArn"], request)
        return {"EndpointConfigArn": doc["EndpointConfigArn"]}

    def describe_endpoint_config(self, request: dict) -> dict:
        return self.configs.get(request["EndpointConfigName"])

    def list_endpoint_configs(self, request: dict) -> dict:
        return self.configs.query(request)

    def delete_endpoint_config(self, request: dict) -> dict:
        name = request["EndpointConfigName"]
        doc = self.configs.get(name)
        for endpoint in self.endpoints.all():
            busy = endpoint["EndpointStatus"] in ("Creating", "Updating")
            pending = endpoint.get("PendingDeploymentSummary", {}).get("EndpointConfigName")
            if busy and name in (endpoint["EndpointConfigName"], pending):
                raise ValidationException(f'Cannot delete endpoint configuration "{doc["EndpointConfigArn"]}": '
                                          f'endpoint "{endpoint["EndpointName"]}" is being created or '
                                          "updated with it.")
        self.configs.remove(name)
        return {}

    # -- endpoints ---------------------------------------------------------------------------

    def _config_and_models(self, config_name: str) -> tuple[dict, dict]:
        config = self.configs.get(config_name)
        used = {v["ModelName"]: self.models.get(v["ModelName"]) for v in config["ProductionVariants"]}
        return config, used

    def create_endpoint(self, request: dict) -> dict:
        config, used = self._config_and_models(request["EndpointConfigName"])
        doc = endpoints.new_document(request["EndpointName"], config, self.region, self.account, time.time())
        self.hosting.create(doc, config, used)
        self._tag(doc["EndpointArn"], request)
        return {"EndpointArn": doc["EndpointArn"]}

    def describe_endpoint(self, request: dict) -> dict:
        return self.endpoints.get(request["EndpointName"])

    def list_endpoints(self, request: dict) -> dict:
        return self.endpoints.query(request)

    def update_endpoint(self, request: dict) -> dict:
        doc = self.endpoints.get(request["EndpointName"])
        endpoints.check_can_update(doc)
        config, used = self._config_and_models(request["EndpointConfigName"])
        self.hosting.update(doc["EndpointName"], config, used)
        return {"EndpointArn": doc["EndpointArn"]}

    def delete_endpoint(self, request: dict) -> dict:
        doc = self.endpoints.get(request["EndpointName"])
        endpoints.check_can_delete(doc)
        self.hosting.delete(doc["EndpointName"])
        return {}

    # -- transform jobs ----------------------------------------------------------------------

    def create_transform_job(self, request: dict) -> dict:
        self.models.get(request["ModelName"])
        doc = transform_jobs.new_document(request, self.region, self.account, time.time())
        self.transform_jobs.add(doc)
        self._tag(doc["TransformJobArn"], request)
        self.transforms.launch(doc["TransformJobName"])
        return {"TransformJobArn": doc["TransformJobArn"]}

    def describe_transform_job(self, request: dict) -> dict:
        return self.transform_jobs.get(request["TransformJobName"])

    def list_transform_jobs(self, request: dict) -> dict:
        return self.transform_jobs.query(request)

    def stop_transform_job(self, request: dict) -> dict:
        self.job_service.stop(self.transforms, request["TransformJobName"])
        return {}

    # -- tags ------------------------------------------------------------------------------

    def _tag(self, arn: str, request: dict) -> None:
        if request.get("Tags"):
            self.store.add_tags(arn, request["Tags"])

    def _require_resource(self, arn: str) -> None:
        kinds = {"training-job": "TrainingJobArn", "model": "ModelArn", "endpoint-config": "EndpointConfigArn",
                 "endpoint": "EndpointArn", "transform-job": "TransformJobArn"}
        kind = arn.split(":", 5)[-1].split("/", 1)[0]
        if kind in kinds and not any(d[kinds[kind]] == arn for d in self.store.all(kind)):
            raise not_found()

    def add_tags(self, request: dict) -> dict:
        self._require_resource(request["ResourceArn"])
        self.store.add_tags(request["ResourceArn"], request["Tags"])
        return {"Tags": self.store.tags(request["ResourceArn"])}

    def list_tags(self, request: dict) -> dict:
        self._require_resource(request["ResourceArn"])
        tags, token = page(self.store.tags(request["ResourceArn"]), request.get("MaxResults"),
                           request.get("NextToken"), default=50)
        return {"Tags": tags, **({"NextToken": token} if token else {})}

    def delete_tags(self, request: dict) -> dict:
        self._require_resource(request["ResourceArn"])
        self.store.remove_tags(request["ResourceArn"], request["TagKeys"])
        return {}
