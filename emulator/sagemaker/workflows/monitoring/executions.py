"""What one monitoring execution runs: a CreateProcessingJob request, as a user would write it,
for a schedule's job at its scheduled time.

On AWS a monitoring execution is a processing job, named `model-monitoring-<yyyyMMddHHmm>-<24
hex>`, on the job definition's image and resources, with the Model Monitor container
contract's environment (environment.py of containers/model-monitor documents it) and:

- `endpoint_input`: the endpoint's capture files of the window's hours, as a ManifestFile
  (prefix: the DataCaptureConfig destination), so they land at EndpointInput.LocalPath under
  `<endpoint>/<variant>/yyyy/mm/dd/hh/` as AWS lays them out; the container keeps the records
  whose inferenceTime is in the window;
- `baseline_constraints` / `baseline_statistics`: the BaselineConfig's files, or those the
  baselining job (BaseliningJobName) wrote to its output;
- `ground_truth_input` (model quality): the ground truth records uploaded since the window
  began, also as a manifest (AWS merges them in a job of its own; here the analyzer joins them);
- the record preprocessor and post-analytics scripts, when the definition names them.

The report goes to `<MonitoringOutputs S3Uri>/<endpoint>/<schedule>/yyyy/mm/dd/hh` of the
scheduled time (plus `/MM/SS` when the schedule clock runs fast, so that each run keeps its
own); the manifests beside it, under `<endpoint>/<schedule>/manifests/<job>/`.
"""

import datetime
import json
import uuid
from pathlib import PurePosixPath

from ....aws.errors import ServiceError
from ....backing.objects import BadS3Uri, ObjectMissing, ObjectStore, split_s3_uri
from .documents import DEFAULT_MAX_RUNTIME, MODEL_QUALITY
from .schedules import HOUR, Clock

NO_DATA = "Job inputs had no data"
CAPTURE_FORMAT = {"sagemakerCaptureJson": {"captureIndexNames": ["endpointInput", "endpointOutput"]}}
OUTPUT_NAME = "monitoring_output"
BASELINE_ROOT = "/opt/ml/processing/baseline"
CODE_ROOT = "/opt/ml/processing/code"
GROUND_TRUTH_PATH = "/opt/ml/processing/groundtruth"
# A model quality definition's EndpointInput members -> the container's environment.
_ATTRIBUTES = {"InferenceAttribute": "inference_attribute", "ProbabilityAttribute": "probability_attribute",
               "ProbabilityThresholdAttribute": "probability_threshold_attribute"}


class ExecutionError(Exception):
    """Why an execution could not start: it ends Failed with this as its FailureReason."""


def job_name(scheduled: float) -> str:
    when = datetime.datetime.fromtimestamp(scheduled, datetime.timezone.utc)
    return f"model-monitoring-{when:%Y%m%d%H%M}-{uuid.uuid4().hex[:24]}"


def iso(seconds: float) -> str:
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def hours_between(start: float, end: float):
    """Each hour (as a UTC datetime) from the one holding start to the one holding end."""
    hour = start - start % HOUR
    while hour <= end:
        yield datetime.datetime.fromtimestamp(hour, datetime.timezone.utc)
        hour += HOUR


class ExecutionPlanner:
    def __init__(self, api, objects: ObjectStore, clock: Clock):
        """api: SageMakerApi (the operations a user calls)."""
        self.api = api
        self.objects = objects
        self.clock = clock

    def request(self, schedule: dict, definition: dict, name: str, scheduled: float, now: float) -> dict:
        """The CreateProcessingJob request of the run scheduled at `scheduled` (ExecutionError
        when it cannot run: no captured data, no baseline)."""
        config = schedule["MonitoringScheduleConfig"].get("ScheduleConfig")
        endpoint_input = definition["MonitoringInputs"][0]["EndpointInput"]
        cron = self.clock.cron(config, schedule["CreationTime"])
        start, end = self.clock.window(config, endpoint_input, cron, scheduled)
        endpoint = self._endpoint(endpoint_input["EndpointName"])
        report_root = self._report_root(definition, schedule)
        manifests = f"{report_root}/manifests/{name}"
        capture = endpoint["DataCaptureConfig"]["DestinationS3Uri"].rstrip("/")
        variants = [v["VariantName"] for v in endpoint.get("ProductionVariants", [])]
        captured = [f"{endpoint_input['EndpointName']}/{variant}/{hour:%Y/%m/%d/%H}/"
                    for hour in hours_between(start, end) for variant in variants]
        inputs = [self._manifest_input("endpoint_input", capture, captured, f"{manifests}/endpoint_input.json",
                                       endpoint_input)]
        environment = {"dataset_format": json.dumps(CAPTURE_FORMAT), "dataset_source": endpoint_input["LocalPath"],
                       "output_path": definition["MonitoringOutputConfig"]["MonitoringOutputs"][0]["S3Output"]["LocalPath"],
                       "sagemaker_endpoint_name": endpoint_input["EndpointName"],
                       "sagemaker_monitoring_schedule_name": schedule["MonitoringScheduleName"],
                       "sagemaker_endpoint_datacapture_prefix": f"{capture}/{endpoint_input['EndpointName']}",
                       "start_time": iso(start), "end_time": iso(end)}
        if endpoint_input.get("ExcludeFeaturesAttribute"):
            environment["exclude_features_attribute"] = endpoint_input["ExcludeFeaturesAttribute"]
        model_quality = schedule["MonitoringType"] == MODEL_QUALITY
        constraints, statistics = self._baseline(definition)
        app = definition["MonitoringAppSpecification"]
        # (input and variable name, the file's S3 URI, where it lands)
        files = [("baseline_constraints", constraints, f"{BASELINE_ROOT}/constraints"),
                 ("baseline_statistics", None if model_quality else statistics, f"{BASELINE_ROOT}/statistics"),
                 ("record_preprocessor_script", app.get("RecordPreprocessorSourceUri"), f"{CODE_ROOT}/preprocessing"),
                 ("post_analytics_processor_script", app.get("PostAnalyticsProcessorSourceUri"),
                  f"{CODE_ROOT}/postprocessing")]
        for variable, uri, folder in files:
            if uri:
                inputs.append(self._file_input(variable, uri, folder))
                environment[variable] = f"{folder}/{PurePosixPath(uri).name}"
        if model_quality:
            truth = definition["GroundTruthS3Input"]["S3Uri"].rstrip("/")
            labelled = [f"{hour:%Y/%m/%d/%H}/" for hour in hours_between(start, now)]
            inputs.append(self._manifest_input("ground_truth_input", truth, labelled,
                                               f"{manifests}/ground_truth_input.json", {"LocalPath": GROUND_TRUTH_PATH},
                                               what=f"ground truth records under {truth} since {iso(start)}"))
            environment.update({"analysis_type": "MODEL_QUALITY", "problem_type": definition["ProblemType"],
                                "ground_truth_source": GROUND_TRUTH_PATH})
            environment.update({variable: str(endpoint_input[member]) for member, variable in _ATTRIBUTES.items()
                                if endpoint_input.get(member) is not None})
        output = definition["MonitoringOutputConfig"]["MonitoringOutputs"][0]["S3Output"]
        output_config = {"Outputs": [{"OutputName": OUTPUT_NAME, "S3Output": {
            "S3Uri": self._report_uri(report_root, scheduled), "LocalPath": output["LocalPath"],
            "S3UploadMode": output.get("S3UploadMode", "EndOfJob")}}]}
        if definition["MonitoringOutputConfig"].get("KmsKeyId"):
            output_config["KmsKeyId"] = definition["MonitoringOutputConfig"]["KmsKeyId"]
        request = {
            "ProcessingJobName": name, "ProcessingInputs": inputs, "ProcessingOutputConfig": output_config,
            "ProcessingResources": definition["MonitoringResources"],
            "StoppingCondition": definition.get("StoppingCondition") or {"MaxRuntimeInSeconds": DEFAULT_MAX_RUNTIME},
            "AppSpecification": {k: app[k] for k in ("ImageUri", "ContainerEntrypoint", "ContainerArguments")
                                 if k in app},
            # The platform's variables win, except whether to publish metrics (AWS: Enabled unless said).
            "Environment": {"publish_cloudwatch_metrics": "Enabled", **definition.get("Environment", {}),
                            **environment},
            "RoleArn": definition["RoleArn"]}
        if definition.get("NetworkConfig"):
            request["NetworkConfig"] = definition["NetworkConfig"]
        return request

    def _endpoint(self, name: str) -> dict:
        try:
            endpoint = self.api("DescribeEndpoint", EndpointName=name)
        except ServiceError as exc:
            raise ExecutionError(f"{NO_DATA}: the endpoint {name} cannot be read ({exc.message})")
        if not (endpoint.get("DataCaptureConfig") or {}).get("DestinationS3Uri"):
            raise ExecutionError(f"{NO_DATA}: the endpoint {name} does not capture its data")
        return endpoint

    @staticmethod
    def _report_root(definition: dict, schedule: dict) -> str:
        output = definition["MonitoringOutputConfig"]["MonitoringOutputs"][0]["S3Output"]["S3Uri"].rstrip("/")
        return f"{output}/{schedule['EndpointName']}/{schedule['MonitoringScheduleName']}"

    def _report_uri(self, root: str, scheduled: float) -> str:
        when = datetime.datetime.fromtimestamp(scheduled, datetime.timezone.utc)
        return f"{root}/{when:%Y/%m/%d/%H}" + (f"/{when:%M/%S}" if self.clock.compressed else "")

    def _manifest_input(self, input_name: str, root: str, folders: list[str], manifest: str, placement: dict,
                        what: str = "") -> dict:
        """A ManifestFile input of every object in `folders` (relative to root), written to S3;
        placement: its LocalPath (and S3InputMode, S3DataDistributionType)."""
        try:
            bucket, prefix = split_s3_uri(root)
            base = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
            keys = [key[len(base):] for folder in folders for key in self.objects.list_keys(bucket, base + folder)
                    if not key.endswith("/")]
        except (ObjectMissing, BadS3Uri):
            keys = []
        if not keys:
            raise ExecutionError(f"{NO_DATA}{': no ' + what if what else ''}")
        try:
            self.objects.write(manifest, json.dumps([{"prefix": f"s3://{bucket}/{base}"}, *keys]).encode(),
                               "application/json")
        except Exception as exc:  # the output bucket is not there, S3 refused
            raise ExecutionError(f"ClientError: the input manifest {manifest} cannot be written: {exc}")
        return {"InputName": input_name, "S3Input": {
            "S3Uri": manifest, "LocalPath": placement["LocalPath"], "S3DataType": "ManifestFile",
            "S3InputMode": placement.get("S3InputMode", "File"),
            "S3DataDistributionType": placement.get("S3DataDistributionType", "FullyReplicated")}}

    def _file_input(self, input_name: str, uri: str, local_path: str) -> dict:
        """One S3 object as an input (its prefix names it alone): the file lands in local_path."""
        try:
            self.objects.etag(uri)
        except (ObjectMissing, BadS3Uri) as exc:
            raise ExecutionError(f"ClientError: {uri} ({input_name}) cannot be read: {exc}")
        return {"InputName": input_name, "S3Input": {
            "S3Uri": uri, "LocalPath": local_path, "S3DataType": "S3Prefix", "S3InputMode": "File",
            "S3DataDistributionType": "FullyReplicated"}}

    def _baseline(self, definition: dict) -> tuple[str | None, str | None]:
        """(constraints, statistics) S3 URIs: the BaselineConfig's, else those its baselining
        job wrote (its first output's constraints.json and statistics.json)."""
        config = definition.get("BaselineConfig") or {}
        constraints = (config.get("ConstraintsResource") or {}).get("S3Uri")
        statistics = (config.get("StatisticsResource") or {}).get("S3Uri")
        job = config.get("BaseliningJobName")
        if job and not (constraints and statistics):
            try:
                described = self.api("DescribeProcessingJob", ProcessingJobName=job)
            except ServiceError as exc:
                raise ExecutionError(f"ClientError: the baselining job {job} cannot be read ({exc.message})")
            if described["ProcessingJobStatus"] != "Completed":
                raise ExecutionError(f"ClientError: the baselining job {job} is {described['ProcessingJobStatus']}, "
                                     "not Completed: its constraints and statistics are not there")
            output = described["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"].rstrip("/")
            constraints = constraints or f"{output}/constraints.json"
            statistics = statistics or f"{output}/statistics.json"
        return constraints, statistics
