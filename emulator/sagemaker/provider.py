"""The SageMaker API: one method per operation, named as the operation is.

Each method takes the validated request (a dict shaped as the botocore input shape) and
returns the output shape's dict. HTTP, JSON and error wire formats are the gateway's.
"""

import time

from ..aws.errors import ValidationException, not_found
from ..store import Store
from . import training_jobs
from .paging import page
from .training_jobs import TrainingJobs
from .training_worker import TrainingWorker


class SageMakerProvider:
    def __init__(self, store: Store, jobs: TrainingJobs, worker: TrainingWorker, region: str, account: str):
        self.store = store
        self.jobs = jobs
        self.worker = worker
        self.region = region
        self.account = account

    # -- training jobs -------------------------------------------------------------------

    def create_training_job(self, request: dict) -> dict:
        training_jobs.check_request(request)
        doc = training_jobs.new_document(request, self.region, self.account, time.time())
        self.jobs.add(doc)
        if request.get("Tags"):
            self.store.add_tags(doc["TrainingJobArn"], request["Tags"])
        self.worker.launch(doc["TrainingJobName"])
        return {"TrainingJobArn": doc["TrainingJobArn"]}

    def describe_training_job(self, request: dict) -> dict:
        return self.jobs.get(request["TrainingJobName"])

    def list_training_jobs(self, request: dict) -> dict:
        return self.jobs.query(request)

    def stop_training_job(self, request: dict) -> dict:
        name = request["TrainingJobName"]
        doc = self.jobs.get(name)
        status = doc["TrainingJobStatus"]
        if status == "Stopping":
            return {}
        if status != "InProgress":
            raise ValidationException(f"The training job {name} is not in progress "
                                      f"(TrainingJobStatus: {status}); only an InProgress job can be stopped.")
        self.jobs.move(name, "Stopping")
        self.worker.request_stop(name)
        return {}

    # -- tags ------------------------------------------------------------------------------

    def _require_resource(self, arn: str) -> None:
        if ":training-job/" in arn:
            name_lower = arn.rsplit("/", 1)[1]
            if not any(d["TrainingJobArn"] == arn or d["TrainingJobName"].lower() == name_lower
                       for d in self.store.all(training_jobs.KIND)):
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
