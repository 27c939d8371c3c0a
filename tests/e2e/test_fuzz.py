"""Model-driven fuzzing: every operation the emulator serves, fed inputs generated from
botocore's shapes and then broken, sent as raw HTTP. Malformed input must never answer 5xx,
every error must be AWS-shaped, and the emulator must be healthy afterwards.

The operations are enumerated, not listed: SageMaker's are the provider's public methods that
name an operation of botocore's model (so a new one is fuzzed the day it is added), the
runtime's are all of sagemaker-runtime's, Logs' are the ones the console, the SDKs' log
tailing and the tests call. Cases are drawn from random.Random seeded per operation, so a
failure names a case that reproduces and adding an operation leaves the others' cases as
they were. The emulator runs with the process runner: no container starts; the few valid
creates it gets fail fast (no image to run, no Docker for endpoints) and are cleaned up.
"""

import collections
import json
import random
import socket
import time
from urllib.parse import quote

import pytest
import urllib3

from emulator.aws.protocol import MAX_BODY_BYTES
from emulator.aws.specs import service_model
from emulator.aws.validation import _compiled
from emulator.runtime.invoke import MAX_PAYLOAD_BYTES
from emulator_process import EmulatorProcess

SEED = 20240610
CASES_PER_OPERATION = 40
LOGS_OPERATIONS = ["DescribeLogGroups", "DescribeLogStreams", "GetLogEvents", "FilterLogEvents",
                   "CreateLogGroup", "CreateLogStream", "PutLogEvents"]
# SQS as pipelines' callback steps use it (boto3's sqs client against the emulator).
SQS_OPERATIONS = ["CreateQueue", "GetQueueUrl", "SendMessage", "ReceiveMessage", "DeleteMessage"]
# The JSON services moto serves behind the JSON edge: (signing name and model, target prefix, operations).
MOTO_JSON_OPERATIONS = [("logs", "Logs_20140328", LOGS_OPERATIONS), ("sqs", "AmazonSQS", SQS_OPERATIONS)]
JSON_11 = "application/x-amz-json-1.1"

# Strings a baseline tries, in order, for a member with a pattern: the first that fits is used.
CANDIDATE_STRINGS = ["fuzz-1", "Fuzz1", "a", "1", "ml.m5.large", "s3://fuzz-bucket/fuzz/key",
                     "arn:aws:iam::123456789012:role/fuzz", "arn:aws:sagemaker:us-east-1:123456789012:model/fuzz-1",
                     "123456789012.dkr.ecr.us-east-1.amazonaws.com/fuzz:1", "fuzz/group", "sg-12345678",
                     "subnet-12345678", "fuzz_1", "text/csv", "x" * 20]
ODD_STRINGS = ["", " ", "x" * 10_000, "a\x00b", "名前😀\u200f", "../../../../etc/passwd", "..%2F..%2Fetc",
               "\ud800", "file:///etc/passwd", "s3://../..", "${jndi:ldap://x}", "'; DROP TABLE t; --",
               "\n\r\t", "%s%s%n"]
# What an HTTP header can carry (latin-1, no control characters).
ODD_HEADER_VALUES = ["", " ", "x" * 10_000, "Ã©tÃ©", "../../etc/passwd", "%00", "*/*; q=bogus", "a" * 65]
BAD_NUMBERS = [-1, 0, 2**31, -2**31 - 1, 2**63, 2**70, -2**70, 1e308, -1e308, 1.5, 10**30]
BAD_TIMESTAMPS = [1e308, -1e308, 2**70, -2**70, -1, 0, "9999999999999", "not-a-time", "2020-13-45", True, [], {}]
WRONG_TYPES = {"string": [123, True, [], {}, None], "integer": ["1", True, [], {}], "long": ["1", 1.5, {}],
               "float": ["x", True, []], "double": ["x", [], {}], "boolean": ["true", 0, 1, {}, []],
               "timestamp": [True, {}, []], "structure": [[], "x", 1], "list": [{}, "x", 1],
               "map": [[], "x", 1], "blob": [1, {}, []]}


# -- what is served ------------------------------------------------------------------------

def sagemaker_operations(url: str) -> list[str]:
    """The operations the emulator serves: those that do not answer "not supported" to an
    empty request (which fails validation, or lists, for every served one)."""
    http = urllib3.connection_from_url(url, retries=False, timeout=urllib3.Timeout(connect=5, read=60))
    served = []
    for operation in service_model("sagemaker").operation_names:
        response = http.urlopen("POST", "/", body=b"{}", headers={
            "X-Amz-Target": f"SageMaker.{operation}", "Content-Type": JSON_11,
            "Authorization": authorization("sagemaker"), "X-Amz-Date": "20240101T000000Z"})
        if b"is not supported by the emulator yet" not in response.data:
            served.append(operation)
    return sorted(served)


def runtime_operations() -> list[str]:
    return sorted(service_model("sagemaker-runtime").operation_names)


# -- valid-ish inputs from the shapes -----------------------------------------------------

def example(shape, depth: int = 0, optional: tuple = ()):
    """A value the shape accepts where that is easy: required members (and the top-level
    optional ones named), lengths, ranges, enums."""
    t, meta = shape.type_name, shape.metadata
    if t == "structure":
        if depth > 6:
            return {}
        names = [*shape.required_members, *optional]
        return {name: example(shape.members[name], depth + 1) for name in names}
    if t == "list":
        return [example(shape.member, depth + 1) for _ in range(max(meta.get("min", 0), 1 if depth < 6 else 0))]
    if t == "map":
        return {example(shape.key, depth + 1): example(shape.value, depth + 1)} if meta.get("min", 0) else {}
    if t == "string":
        return shape.enum[0] if shape.enum else fitting_string(meta)
    if t in ("integer", "long"):
        return max(int(meta.get("min", 1)), min(int(meta.get("max", 1)), 1))
    if t in ("float", "double"):
        return float(meta.get("min", 1.0))
    if t == "boolean":
        return False
    if t == "timestamp":
        return time.time() - 3600
    if t == "blob":
        return "AA=="
    return None


def fitting_string(meta: dict) -> str:
    low, high = meta.get("min", 0), meta.get("max", 1024)
    pattern = _compiled(meta["pattern"]) if "pattern" in meta else None
    for text in CANDIDATE_STRINGS:
        if low <= len(text) <= high and (pattern is None or pattern.fullmatch(text)):
            return text
    return "a" * max(low, 1)


def member_paths(shape, prefix=(), depth: int = 0):
    """(path, shape) of the members a mutation may replace: every top-level member, and the
    members of top-level structures (and of their lists' items)."""
    for name, member in shape.members.items():
        yield prefix + (name,), member
        if depth == 0 and member.type_name == "structure":
            yield from member_paths(member, prefix + (name,), depth + 1)
        elif depth == 0 and member.type_name == "list" and member.member.type_name == "structure":
            yield from member_paths(member.member, prefix + (name, 0), depth + 1)


def with_value(request: dict, path: tuple, value) -> dict:
    """A copy of the request with the member at path (names, and 0 for a list's first item) set."""
    request = json.loads(json.dumps(request))
    node = request
    for key, next_key in zip(path, path[1:]):
        empty = [] if isinstance(next_key, int) else {}
        if isinstance(key, int):
            if not node:
                node.append(empty)
        elif not isinstance(node.get(key), type(empty)):
            node[key] = empty
        node = node[key]
    node[path[-1]] = value
    return request


def bad_values(shape) -> list:
    """Values that break a member of this shape: wrong types, edges of its ranges, odd text."""
    t, meta = shape.type_name, shape.metadata
    values = list(WRONG_TYPES.get(t, []))
    if t == "string":
        values += ODD_STRINGS
        if "max" in meta:
            values.append("a" * (meta["max"] + 1))
        if shape.enum:
            values.append(shape.enum[0].lower() + "-bogus")
    elif t in ("integer", "long", "float", "double"):
        values += BAD_NUMBERS + [meta.get("max", 0) + 1, meta.get("min", 0) - 1]
    elif t == "timestamp":
        values += BAD_TIMESTAMPS
    elif t in ("list", "map"):
        values += [[None], [{"Bogus": 1}] * 3, {"": None}] if t == "list" else [{"": ""}, {"k" * 10_000: "v"}]
    elif t == "structure":
        values += [{"Bogus": {"Deeper": [1, 2, 3]}}, {name: None for name in shape.members}]
    return values


# -- cases -----------------------------------------------------------------------------------

Case = collections.namedtuple("Case", "name body headers")


def nested(depth: int, opener: bytes = b'{"a":', closer: bytes = b"}") -> bytes:
    return opener * depth + b"1" + closer * depth


def as_json(value) -> bytes:
    return json.dumps(value).encode()


def json_cases(shape, rng: random.Random) -> list[Case]:
    """Requests for one JSON-protocol operation: the baseline, then it broken."""
    base = example(shape) if shape is not None else {}
    cases = [
        Case("baseline", as_json(base), {}),
        Case("empty object", b"{}", {}),
        Case("empty body", b"", {}),
        Case("extra member", as_json({**base, "NotAMember": {"x": [1, 2]}}), {}),
        Case("objects nested 5000 deep", nested(5000), {}),
        Case("arrays nested 5000 deep", nested(5000, b"[", b"]"), {}),
        Case("bad UTF-8", b'{"x": "\xff\xfe\xc3\x28"}', {}),
        Case("JSON array", as_json([base]), {}),
        Case("JSON scalar", b"42", {}),
        Case("JSON null", b"null", {}),
        Case("truncated JSON", as_json(base)[:-1] or b"{", {}),
        Case("NaN", b'{"x": NaN}', {}),
        Case("number of 5000 digits", b'{"x": 1' + b"0" * 5000 + b"}", {}),
        Case("text/plain", as_json(base), {"Content-Type": "text/plain"}),
        Case("no Content-Type", as_json(base), {"Content-Type": None}),
    ]
    for name in (shape.required_members if shape is not None else [])[:5]:
        cases.append(Case(f"without {name}", as_json({k: v for k, v in base.items() if k != name}), {}))
    optional = sorted(set(shape.members) - set(shape.required_members)) if shape is not None else []
    for _ in range(5 if optional else 0):  # valid-ish members the provider reads beyond the required
        chosen = tuple(rng.sample(optional, min(len(optional), rng.randint(1, 4))))
        cases.append(Case(f"with {', '.join(chosen)}", as_json(example(shape, optional=chosen)), {}))
    paths = list(member_paths(shape)) if shape is not None else []
    seen = {case.body for case in cases}
    for _ in range(CASES_PER_OPERATION * 5):  # draws that repeat a body are skipped
        if not paths or len(cases) >= CASES_PER_OPERATION:
            break
        path, member = rng.choice(paths)
        value = rng.choice(bad_values(member))
        body = as_json(with_value(base, path, value))
        if body not in seen:
            seen.add(body)
            shown = repr(value) if len(repr(value)) < 40 else repr(value)[:37] + "..."
            cases.append(Case(f"{'.'.join(map(str, path))} = {shown}", body, {}))
    return cases


def runtime_cases(operation: str, rng: random.Random) -> list[tuple[str, str, str, bytes, dict]]:
    """(case, method, path, body, headers) for one runtime operation, from its rest-json model."""
    op = service_model("sagemaker-runtime").operation_model(operation)
    shape = op.input_shape
    headers = {}
    for name in shape.required_members:
        member = shape.members[name]
        if member.serialization.get("location") == "header":
            headers[member.serialization["name"]] = example(member)
    if operation == "InvokeEndpointAsync":
        headers["X-Amzn-SageMaker-InputLocation"] = "s3://fuzz-bucket/input.json"
    uri = op.http["requestUri"]

    def path(name: str) -> str:
        return uri.replace("{EndpointName}", quote(name.encode("utf-8", "surrogatepass"), safe=""))
    body = b'{"instances": [[1, 2, 3]]}'
    cases = [("baseline", "POST", path("fuzz-1"), body, headers),
             ("empty body", "POST", path("fuzz-1"), b"", headers),
             ("GET", "GET", path("fuzz-1"), b"", headers),
             ("empty endpoint name", "POST", uri.replace("{EndpointName}", ""), body, headers),
             ("raw path traversal", "POST", uri.replace("{EndpointName}", "../../_emulator/health"), body, headers),
             ("unknown sub-path", "POST", path("fuzz-1") + "/extra", body, headers),
             ("nested JSON payload", "POST", path("fuzz-1"), nested(5000), headers),
             ("bad UTF-8 payload", "POST", path("fuzz-1"), b"\xff\xfe\x00", headers),
             ("payload 1 byte over the limit", "POST", path("fuzz-1"), b"x" * (MAX_PAYLOAD_BYTES + 1), headers)]
    header_members = [(m.serialization["name"], m) for m in shape.members.values()
                      if m.serialization.get("location") == "header"]
    while len(cases) < CASES_PER_OPERATION:
        if rng.random() < 0.3:
            name = rng.choice(ODD_STRINGS)
            cases.append((f"endpoint {name[:30]!r}", "POST", path(name), body, headers))
            continue
        wire, member = rng.choice(header_members)
        too_long = ["a" * (member.metadata["max"] + 1)] if "max" in member.metadata else []
        value = rng.choice(ODD_HEADER_VALUES + too_long)
        cases.append((f"{wire} = {value[:30]!r}", "POST", path("fuzz-1"), body, {**headers, wire: value}))
    return cases


# -- the wire --------------------------------------------------------------------------------

def authorization(signing_name: str) -> str:
    return (f"AWS4-HMAC-SHA256 Credential=AKIDFUZZ/20240101/us-east-1/{signing_name}/aws4_request, "
            f"SignedHeaders=content-type;host;x-amz-date, Signature={'0' * 64}")


class Wire:
    """Sends raw requests as boto3 would frame them; keeps every answer for the checks."""

    def __init__(self, url: str):
        self.url = url
        # A connection pool sends the path as given (a PoolManager would resolve "../" first).
        self.http = urllib3.connection_from_url(url, retries=False, timeout=urllib3.Timeout(connect=5, read=60))
        self.statuses = collections.Counter()
        self.failures = []
        self.cases = 0

    def send(self, operation: str, case: str, method: str, path: str, body: bytes, headers: dict,
             runtime: bool = False, chunked: bool = False) -> None:
        sent = {k: v for k, v in headers.items() if v is not None}
        if chunked:
            body = iter([body[i:i + 65536] for i in range(0, len(body), 65536)])
        response = self.http.urlopen(method, path, body=body, headers=sent, chunked=chunked)
        self.cases += 1
        self.statuses[response.status] += 1
        problem = answer_problem(response, runtime)
        if problem:
            self.failures.append(f"{operation} [{case}]: {response.status} {problem}: {response.data[:300]!r}")

    def json_request(self, signing_name: str, target: str, case: Case) -> None:
        headers = {"X-Amz-Target": target, "Content-Type": JSON_11, "Authorization": authorization(signing_name),
                   "X-Amz-Date": "20240101T000000Z", **case.headers}
        self.send(target.split(".")[-1], case.name, "POST", "/", case.body, headers)


def answer_problem(response, runtime: bool) -> str | None:
    """What is wrong with an answer to malformed input, or None."""
    if response.status >= 500:
        return "a server error"
    if response.status < 400:
        return None
    error_type = response.headers.get("x-amzn-ErrorType")
    try:
        body = json.loads(response.data)
    except ValueError:
        return "an error whose body is not JSON"
    if not isinstance(body, dict):
        return "an error whose body is not a JSON object"
    if runtime:
        if not error_type or not (body.get("message") or body.get("Message")):
            return "a runtime error without x-amzn-ErrorType and a message"
    elif not (body.get("__type") or error_type):
        return "an error without __type or x-amzn-ErrorType"
    return None


# -- the test --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def fuzz_emulator(tmp_path_factory):
    proc = EmulatorProcess(tmp_path_factory.mktemp("fuzz") / "data", extra_args=["--runner", "process"]).start()
    yield proc
    try:
        clean_up(proc)
    finally:
        proc.stop()


def clean_up(proc: EmulatorProcess) -> None:
    """Stops and deletes what valid fuzz inputs created."""
    sm, logs = proc.client("sagemaker"), proc.client("logs")
    for job in sm.list_training_jobs(StatusEquals="InProgress")["TrainingJobSummaries"]:
        sm.stop_training_job(TrainingJobName=job["TrainingJobName"])
    for job in sm.list_transform_jobs(StatusEquals="InProgress")["TransformJobSummaries"]:
        sm.stop_transform_job(TransformJobName=job["TransformJobName"])
    for job in sm.list_processing_jobs(StatusEquals="InProgress")["ProcessingJobSummaries"]:
        sm.stop_processing_job(ProcessingJobName=job["ProcessingJobName"])
    for pipeline in sm.list_pipelines()["PipelineSummaries"]:
        for execution in sm.list_pipeline_executions(PipelineName=pipeline["PipelineName"])["PipelineExecutionSummaries"]:
            if execution["PipelineExecutionStatus"] == "Executing":
                sm.stop_pipeline_execution(PipelineExecutionArn=execution["PipelineExecutionArn"])
    for endpoint in sm.list_endpoints()["Endpoints"]:
        sm.delete_endpoint(EndpointName=endpoint["EndpointName"])
    for config in sm.list_endpoint_configs()["EndpointConfigs"]:
        sm.delete_endpoint_config(EndpointConfigName=config["EndpointConfigName"])
    for model in sm.list_models()["Models"]:
        sm.delete_model(ModelName=model["ModelName"])
    for group in logs.describe_log_groups()["logGroups"]:
        if not group["logGroupName"].startswith("/aws/sagemaker/"):
            logs.delete_log_group(logGroupName=group["logGroupName"])


def seed_resources(proc: EmulatorProcess) -> None:
    """Resources named as the baselines name them ("fuzz-1"), so that Describe, AddTags, Update
    and the rest get past "not found" into the provider's code."""
    sm = proc.client("sagemaker")
    role = "arn:aws:iam::123456789012:role/fuzz"
    sm.create_model(ModelName="fuzz-1", ExecutionRoleArn=role, PrimaryContainer={"Image": "fuzz:1"})
    sm.create_endpoint_config(EndpointConfigName="fuzz-1", ProductionVariants=[{
        "VariantName": "fuzz-1", "ModelName": "fuzz-1", "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}])
    sm.create_training_job(TrainingJobName="fuzz-1", RoleArn=role,
                           AlgorithmSpecification={"TrainingImage": "fuzz:1", "TrainingInputMode": "File"},
                           OutputDataConfig={"S3OutputPath": "s3://fuzz-bucket/out"},
                           ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 1},
                           StoppingCondition={"MaxRuntimeInSeconds": 60})
    sm.create_processing_job(ProcessingJobName="fuzz-1", RoleArn=role, AppSpecification={"ImageUri": "fuzz:1"},
                             ProcessingResources={"ClusterConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1,
                                                                    "VolumeSizeInGB": 1}})
    sm.create_hyper_parameter_tuning_job(
        HyperParameterTuningJobName="fuzz-1",
        HyperParameterTuningJobConfig={"Strategy": "Random", "ResourceLimits": {
            "MaxNumberOfTrainingJobs": 1, "MaxParallelTrainingJobs": 1},
            "HyperParameterTuningJobObjective": {"Type": "Maximize", "MetricName": "fuzz"}},
        TrainingJobDefinition={"AlgorithmSpecification": {
            "TrainingImage": "fuzz:1", "TrainingInputMode": "File", "MetricDefinitions": [{"Name": "fuzz", "Regex": "x"}]},
            "RoleArn": role, "OutputDataConfig": {"S3OutputPath": "s3://fuzz-bucket/out"},
            "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 1},
            "StoppingCondition": {"MaxRuntimeInSeconds": 60}})
    # A pipeline whose executions end at once (a condition, then a Fail step), whatever the fuzz starts.
    sm.create_pipeline(PipelineName="fuzz-1", RoleArn=role, PipelineDefinition=json.dumps({
        "Version": "2020-12-01", "Parameters": [{"Name": "fuzz-1", "Type": "String", "DefaultValue": "a"}],
        "Steps": [{"Name": "fuzz-1", "Type": "Condition", "Arguments": {
            "Conditions": [{"Type": "Equals", "LeftValue": {"Get": "Parameters.fuzz-1"}, "RightValue": "a"}],
            "IfSteps": [], "ElseSteps": [{"Name": "Fail", "Type": "Fail", "Arguments": {"ErrorMessage": "fuzz"}}]}}]}))


def test_malformed_input_never_answers_5xx(fuzz_emulator, capsys):
    seed_resources(fuzz_emulator)
    wire = Wire(fuzz_emulator.url)
    # Deletes and stops last, so the other operations find the seeded resources.
    sagemaker = sorted(sagemaker_operations(fuzz_emulator.url), key=lambda op: (op.startswith(("Delete", "Stop")), op))
    assert {"CreateTrainingJob", "CreateProcessingJob", "ListModels", "Search"} <= set(sagemaker)  # the enumeration finds them
    for operation in sagemaker:
        shape = service_model("sagemaker").operation_model(operation).input_shape
        for case in json_cases(shape, random.Random(f"{SEED}:sagemaker:{operation}")):
            wire.json_request("sagemaker", f"SageMaker.{operation}", case)
    for service, prefix, operations in MOTO_JSON_OPERATIONS:
        for operation in operations:
            shape = service_model(service).operation_model(operation).input_shape
            for case in json_cases(shape, random.Random(f"{SEED}:{service}:{operation}")):
                wire.json_request(service, f"{prefix}.{operation}", case)
    for operation in runtime_operations():
        for case, method, path, body, headers in runtime_cases(operation, random.Random(f"{SEED}:runtime:{operation}")):
            wire.send(operation, case, method, path, body,
                      {"Authorization": authorization("sagemaker"), "X-Amz-Date": "20240101T000000Z",
                       "Content-Type": "application/json", **headers}, runtime=True)
    send_framing_cases(wire)

    runtime = runtime_operations()
    with capsys.disabled():
        print(f"\nfuzz: {wire.cases} cases over {len(sagemaker) + len(runtime) + len(LOGS_OPERATIONS) + len(SQS_OPERATIONS)} "
              f"operations ({len(sagemaker)} SageMaker, {len(runtime)} runtime, {len(LOGS_OPERATIONS)} Logs, "
              f"{len(SQS_OPERATIONS)} SQS); "
              f"statuses {dict(sorted(wire.statuses.items()))}")
    assert not wire.failures, f"{len(wire.failures)} bad answers:\n" + "\n".join(wire.failures[:30])

    health = urllib3.request("GET", fuzz_emulator.url + "/_emulator/health", retries=False, timeout=10)
    assert health.status == 200
    assert "TrainingJobSummaries" in fuzz_emulator.client("sagemaker").list_training_jobs()


def send_framing_cases(wire: Wire) -> None:
    """What no operation's shape describes: targets, body sizes, chunking, no signature."""
    sagemaker = {"Content-Type": JSON_11, "Authorization": authorization("sagemaker")}
    logs = {"Content-Type": JSON_11, "Authorization": authorization("logs")}
    oversized = b'{"x": "' + b"a" * MAX_BODY_BYTES + b'"}'
    for case, headers, target, body in [
            ("no X-Amz-Target", sagemaker, None, b"{}"),
            ("unknown target", sagemaker, "SageMaker.NoSuchThing", b"{}"),
            ("another service's target", sagemaker, "Logs_20140328.DescribeLogGroups", b"{}"),
            ("Logs: no target", logs, None, b"{}"),
            ("Logs: unknown target", logs, "Logs_20140328.NoSuchThing", b"{}"),
            ("body over the cap", sagemaker, "SageMaker.ListModels", oversized),
            ("Logs: body over the cap", logs, "Logs_20140328.DescribeLogGroups", oversized)]:
        wire.send(target or "(none)", case, "POST", "/", body, {**headers, "X-Amz-Target": target})
    runtime = {"Content-Type": "application/json", "Authorization": authorization("sagemaker")}
    for case, body in [("chunked", b'{"x": 1}'), ("chunked, 1 byte over the limit", b"x" * (MAX_PAYLOAD_BYTES + 1))]:
        wire.send("InvokeEndpoint", case, "POST", "/endpoints/fuzz-1/invocations", body, runtime,
                  runtime=True, chunked=True)
    chunks = lambda: iter([b'{"MaxRes', b'ults": 5}'])  # noqa: E731
    response = wire.http.urlopen("POST", "/", body=chunks(), chunked=True,
                                 headers={**sagemaker, "X-Amz-Target": "SageMaker.ListModels"})
    assert response.status == 200, response.data  # a chunked body is a body like any other
    assert "Models" in json.loads(response.data)


@pytest.mark.parametrize("request_head", [
    b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -5\r\n\r\n",
    b"POST /endpoints/x/invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1x\r\n\r\n",
    b"PUT /bucket/key HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 9999999999999999999999\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
], ids=["letters", "negative", "runtime", "S3 path, too large", "broken chunk"])
def test_broken_framing_answers_400(fuzz_emulator, request_head):
    """HTTP the server cannot frame is refused before any service sees it, never a 5xx."""
    with socket.create_connection(("127.0.0.1", fuzz_emulator.port), timeout=10) as conn:
        conn.sendall(request_head)
        status_line = conn.makefile("rb").readline()
    assert status_line.split()[1].startswith(b"4"), status_line


@pytest.mark.parametrize("method, path, body", [
    ("GET", "/fuzz-bucket?list-type=2&prefix=%ff", None),
    ("GET", "/fuzz-bucket?list-type=2&continuation-token=%ff%fe", None),
    ("GET", "/fuzz-bucket?marker=%c3%28", None),
    ("PUT", "/fuzz-bucket/%ff", b"x"),
    ("GET", "/fuzz-bucket?list-type=2&max-keys=99999999999999999999", None),
    ("POST", "/fuzz-bucket?delete", b"<Delete><Object><Key>" + b"<" * 100),
    ("PUT", "/fuzz-bucket/" + "k" * 2000, b"x"),
    ("PUT", "/fuzz-bucket?tagging", b"<Tagging>" * 5000),
], ids=["prefix %ff", "token %ff%fe", "marker %c3%28", "key %ff", "max-keys 1e20", "bad XML", "key 2000 long",
        "XML 5000 deep"])
def test_s3_path_answers_malformed_requests_with_s3_errors(fuzz_emulator, method, path, body):
    s3 = fuzz_emulator.client("s3")
    try:
        s3.create_bucket(Bucket="fuzz-bucket")
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass
    headers = {"Authorization": authorization("s3"), "X-Amz-Date": "20240101T000000Z",
               "X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD"}
    response = urllib3.connection_from_url(fuzz_emulator.url, retries=False).urlopen(
        method, path, body=body, headers=headers)
    assert 400 <= response.status < 500, response.data
    assert b"<Error><Code>" in response.data, response.data
