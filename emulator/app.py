"""The emulator as one WSGI application: a gateway that routes each request by what it
carries (see aws.routing) to the SageMaker API (aws.protocol), the console (Flask), S3 (SeaweedFS, proxied) or
CloudWatch Logs/CloudWatch/STS/IAM (moto in-process)."""

import fcntl
import json
import logging
import time
from dataclasses import dataclass, field

from flask import Flask

from .aws import protocol, routing
from .aws.guard import OriginGuard
from .aws.json_edge import guard_json_edges
from .backing.identity import IdentityFacade
from .backing.moto_services import LogSink, MetricSink, Queues, moto_wsgi_app
from .backing.objects import ObjectStore
from .backing.proxy import ReverseProxy, canonical_user_id
from .backing.seaweed import SeaweedS3
from .config import Settings
from .console import console_blueprint
from .execution import runners
from .execution.runner import Runner
from .hosting.launcher import Launcher
from .hosting.model_data import ModelDataCache
from .runtime.routes import RuntimeApp
from .runtime.async_inference import AsyncInference
from .runtime.capture import CaptureWriter
from .runtime.invoke import Invoker
from .runtime.metrics import InvocationMetrics
from .sagemaker.inference.api import InferenceApi
from .sagemaker.inference.endpoint_configs import ENDPOINT_CONFIG
from .sagemaker.inference.endpoints import ENDPOINT, EndpointService
from .sagemaker.inference.models import MODEL
from .sagemaker.jobs.lifecycle import ContainerJobWorker
from .sagemaker.jobs.operations import JobOperations
from .sagemaker.jobs.processing_worker import ProcessingJobKind
from .sagemaker.jobs.service import JobService
from .sagemaker.jobs.training_worker import TrainingJobKind
from .sagemaker.jobs.transform import TRANSFORM_JOB
from .sagemaker.jobs.transform_worker import TransformWorker
from .sagemaker.notebooks import Notebooks
from .sagemaker.provider import SageMakerProvider
from .sagemaker.registry.api import RegistryApi
from .sagemaker.registry.model_registry import ModelRegistry
from .sagemaker.resources import Resources
from .sagemaker.search import Searcher
from .sagemaker.tagging import Tagging
from .sagemaker.workflows.api import SageMakerApi
from .sagemaker.workflows.monitoring.api import MonitoringOperations, MonitoringResources
from .sagemaker.workflows.pipelines.api import PipelinesApi
from .sagemaker.workflows.pipelines.resources import PipelineResources
from .sagemaker.workflows.tuning.job import TUNING_JOB
from .sagemaker.workflows.tuning.api import TuningOperations
from .shell_env import sdk_config
from .store import Store
from .testing import fast_path

log = logging.getLogger(__name__)

# The job kinds that run their image under the container job life (sagemaker/jobs/lifecycle.py),
# each made from (store, objects, metrics). A new kind is its module, an entry here, its tests.
CONTAINER_JOB_KINDS = (TrainingJobKind, ProcessingJobKind)
# Search's Resource values served, by the job kind's runner label (AWS's Search takes no
# ProcessingJob: its Resource enum lacks it).
SEARCHABLE = ("training",)


@dataclass
class Emulator:
    settings: Settings
    s3: SeaweedS3
    objects: ObjectStore
    logs: LogSink
    metrics: MetricSink
    store: Store
    provider: SageMakerProvider
    job_service: JobService
    hosting: EndpointService
    wsgi: object
    runner_name: str
    runner: Runner
    closers: list
    data_dir_lock: object = None
    workflows: list = field(default_factory=list)  # each restore()s its runs after the jobs'
    apps: list = field(default_factory=list)  # long-running apps (notebooks): each restore()s its own

    def start(self) -> None:
        """Start the backing services and bring stored state back (blocks until S3 answers)."""
        self.s3.start()
        self.s3.wait_ready(self.objects.ping)
        self.logs.replay()
        self.metrics.replay()
        self.job_service.restore()
        for workflow in self.workflows:
            workflow.restore()
        self.hosting.restore()
        for apps in self.apps:
            apps.restore()

    def close(self) -> None:
        for close in self.closers:
            close()
        self.s3.stop()
        if self.data_dir_lock is not None:
            self.data_dir_lock.close()


def lock_data_dir(data_dir, wait_seconds: float = 15.0):
    """One emulator per data dir: a second would corrupt SQLite and SeaweedFS's stores."""
    handle = open(data_dir / ".lock", "w")
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return handle
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise SystemExit(f"{data_dir} is in use by another sagemaker-emulator; "
                                 "stop it or pass another --data-dir")
            time.sleep(0.2)


def make_runner(settings: Settings) -> Runner:
    try:
        return runners.make_runner(settings.runner, settings.data_dir)
    except runners.NoRunner as exc:
        raise SystemExit(str(exc))


def container_env(settings: Settings, runner_name: str) -> dict[str, str]:
    """How code in a job reaches this emulator: boto3 in containers honours these."""
    host = "host.docker.internal" if runner_name == "docker" else "127.0.0.1"
    url = settings.container_url or f"http://{host}:{settings.port}"
    return {"AWS_ENDPOINT_URL": url, "S3_ENDPOINT_URL": url, "AWS_REGION": settings.region,
            "AWS_DEFAULT_REGION": settings.region, "AWS_ACCESS_KEY_ID": "emulator",
            "AWS_SECRET_ACCESS_KEY": "emulator"}


NOTEBOOK_FAST_PATH = "/opt/sagemaker-emulator/fast-path"


def notebook_kernels(platform_env: dict[str, str]) -> tuple[dict[str, str], list]:
    """What notebook kernels start with besides the SDK's config file: the job containers' way to
    the emulator, `sagemaker-emulator env`'s SDK settings, and the SDK fast path as under
    `sagemaker-emulator run` (copied into the container), so that cells wait seconds, not minutes."""
    env = {**platform_env, "SAGEMAKER_SUPPRESS_V2_WARNING": "1", "PYTHONPATH": NOTEBOOK_FAST_PATH,
           fast_path.module().ENV: platform_env["AWS_ENDPOINT_URL"]}
    return env, [(fast_path.PYTHONPATH_DIR, NOTEBOOK_FAST_PATH)]


def create_emulator(settings: Settings, runner=None) -> Emulator:
    data_dir = settings.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    data_dir_lock = lock_data_dir(data_dir)  # before anything in the data dir is touched
    s3 = SeaweedS3(data_dir)
    objects = ObjectStore(s3.url, settings.region)
    logs = LogSink(data_dir, settings.account_id, settings.region)
    metrics = MetricSink(data_dir, settings.account_id, settings.region)
    store = Store(data_dir / "state.sqlite3")
    runner = runner or make_runner(settings)
    runner_name = runner.name
    platform_env = container_env(settings, runner_name)
    container_jobs = [ContainerJobWorker(kind(store, objects, metrics), logs, runner,
                                         data_dir / f"{kind.runner_kind}-jobs", platform_env,
                                         settings.stop_grace_seconds) for kind in CONTAINER_JOB_KINDS]
    launcher = Launcher(runner, ModelDataCache(objects, data_dir / "model-data"), logs, platform_env)
    hosting = EndpointService(Resources(store, ENDPOINT), launcher, settings.serverless_idle_seconds,
                              settings.health_check_seconds)
    models = Resources(store, MODEL)
    transforms = TransformWorker(Resources(store, TRANSFORM_JOB), models, objects, launcher)
    job_workers = [*container_jobs, transforms]
    job_service = JobService(job_workers, runner)
    configs = Resources(store, ENDPOINT_CONFIG)
    tuning_jobs = Resources(store, TUNING_JOB)
    registry = ModelRegistry(store, settings.region, settings.account_id)
    pipeline_resources = PipelineResources(store)
    monitoring_resources = MonitoringResources(store)
    notebooks = Notebooks(store, runner, logs, data_dir / "notebooks", *notebook_kernels(platform_env),
                          sdk_config(settings.region, settings.account_id), settings.notebook_lifecycle_seconds,
                          settings.region, settings.account_id, f"{settings.url}/#/notebooks")
    tagging = Tagging(store, [*(w.jobs for w in job_workers), models, configs, hosting.endpoints, tuning_jobs, *registry.resources,
                               *pipeline_resources.taggable, *monitoring_resources.taggable, *notebooks.taggable])
    # Workflows (sagemaker/workflows) drive jobs through `api`: the operations a user calls.
    api = SageMakerApi()
    tuning = TuningOperations(tuning_jobs, api, tagging, metrics, settings.region, settings.account_id,
                              settings.tuning_poll_seconds)
    pipelines = PipelinesApi(pipeline_resources, tagging, api, objects, Queues(settings.region), settings.region,
                             settings.account_id)
    monitoring = MonitoringOperations(monitoring_resources, tagging, api, objects, settings.region, settings.account_id,
                                      settings.monitoring_hour_seconds)
    provider = SageMakerProvider([
        *(JobOperations(w, job_service, tagging, settings.region, settings.account_id) for w in job_workers),
        InferenceApi(models, configs, hosting, tagging, settings.region, settings.account_id, registry),
        RegistryApi(registry, tagging),
        tagging,
        tuning,
        pipelines,
        monitoring,
        *notebooks.parts(tagging),
        Searcher(store, [*(w.jobs for w in container_jobs if w.runner_kind in SEARCHABLE), tuning_jobs,
                         hosting.endpoints, *registry.resources], views={TUNING_JOB.prefix: tuning.view}),
    ])
    api.bind(provider)
    console_app = create_console_app(runner_name, settings.region)
    invocation_metrics = InvocationMetrics(metrics)
    invoker = Invoker(hosting.endpoints, hosting.live, settings.region, settings.account_id,
                      settings.invocation_timeout_seconds, invocation_metrics)
    capture = CaptureWriter(objects, settings.capture_flush_seconds)
    async_inference = AsyncInference(invoker, objects)
    moto_app = moto_wsgi_app()
    # Body caps, and Logs' JSON checked against botocore's model before moto sees it.
    gateway = Gateway(guard_json_edges({
        routing.SAGEMAKER: protocol.JsonProtocolApp("sagemaker", provider),
        routing.SAGEMAKER_RUNTIME: RuntimeApp(invoker, capture, async_inference),
        routing.EMULATOR: console_app,
        routing.CONSOLE: console_app,
        routing.S3: ReverseProxy(s3.url, s3.buckets, owner_id=canonical_user_id(settings.account_id)),
        routing.MOTO: moto_app,
        routing.IDENTITY: IdentityFacade(moto_app, settings.account_id),
    }), OriginGuard(settings.host, settings.allow_hosts, settings.allow_origins))
    return Emulator(settings, s3, objects, logs, metrics, store, provider, job_service, hosting, gateway,
                    runner_name, runner,
                    closers=[notebooks.close, monitoring.close, pipelines.close, tuning.close, async_inference.close, hosting.close, capture.close, invocation_metrics.close],
                    data_dir_lock=data_dir_lock, workflows=[tuning, pipelines, monitoring], apps=[notebooks])


class Gateway:
    """Routes each WSGI request to the application serving its service, once the guard lets it in."""

    def __init__(self, targets: dict, guard: OriginGuard):
        self.targets = targets
        self.guard = guard

    def __call__(self, environ, start_response):
        service = routing.route(environ.get("PATH_INFO", "/"), environ.get("HTTP_AUTHORIZATION", ""),
                                environ.get("QUERY_STRING", ""), environ.get("REQUEST_METHOD", "GET"))
        return self.guard(environ, start_response, service, lambda env, start: self._serve(service, env, start))

    def _serve(self, service, environ, start_response):
        app = self.targets.get(service)
        if app is None:
            body = json.dumps({"__type": "UnknownServiceException",
                               "message": "This service is not served by the SageMaker emulator"}).encode()
            start_response("400 Bad Request", [("Content-Type", protocol.JSON_11),
                                               ("Content-Length", str(len(body)))])
            return [body]
        environ["emulator.service"] = service
        return app(environ, start_response)


def create_console_app(runner_name: str, region: str) -> Flask:
    """The web console and the emulator's own paths (/_emulator/...)."""
    app = Flask("sagemaker_emulator", static_folder=None)
    app.register_blueprint(console_blueprint(region))

    @app.get("/_emulator/health")
    def health():
        return {"status": "ok", "runner": runner_name, "services": ["sagemaker", "s3", "logs", "sqs", "sts", "iam"]}

    return app
