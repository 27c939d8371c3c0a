"""Create, Describe, List and Stop of one job kind: every kind answers them the same way, so
a kind's operations are made from its resource Kind (CreateProcessingJob from "ProcessingJob")."""

import time

from botocore import xform_name

from ..tagging import Tagging
from .service import JobService, JobWorker


class JobOperations:
    def __init__(self, worker: JobWorker, service: JobService, tagging: Tagging, region: str, account: str):
        self.worker = worker
        self.jobs = worker.jobs
        self.service = service
        self.tagging = tagging
        self.region = region
        self.account = account

    def methods(self) -> dict:
        """Provider method name -> method, e.g. create_processing_job."""
        prefix = self.jobs.kind.prefix
        return {xform_name(f"Create{prefix}"): self.create, xform_name(f"Describe{prefix}"): self.describe,
                xform_name(f"List{prefix}s"): self.list, xform_name(f"Stop{prefix}"): self.stop}

    def create(self, request: dict) -> dict:
        kind = self.jobs.kind
        doc = self.worker.new_document(request, self.region, self.account, time.time())
        self.jobs.add(doc)
        self.tagging.tag_new(doc[kind.arn_key], request)
        self.worker.launch(doc[kind.name_key])
        return {kind.arn_key: doc[kind.arn_key]}

    def describe(self, request: dict) -> dict:
        return self.jobs.get(request[self.jobs.kind.name_key])

    def list(self, request: dict) -> dict:
        return self.jobs.query(request)

    def stop(self, request: dict) -> dict:
        self.service.stop(self.worker, request[self.jobs.kind.name_key])
        return {}
