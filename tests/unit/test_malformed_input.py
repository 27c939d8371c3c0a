"""Malformed input at the protocol edge answers AWS-shaped 4xx, never a 5xx (issue 10, item 5).

In process, no Docker: protocol.handle and validate for SageMaker, the JSON edge in front of
moto's CloudWatch Logs, the S3 proxy's own refusals.
"""

import io
import json
import socket
from urllib.parse import unquote_to_bytes

import pytest
from werkzeug.test import Client, EnvironBuilder, run_wsgi_app

from emulator.aws import protocol
from emulator.aws.errors import RequestEntityTooLarge, SerializationException, ValidationException
from emulator.aws.json_edge import JsonEdge, read_body
from emulator.aws.specs import operation_model
from emulator.aws.validation import validate
from emulator.backing.moto_services import moto_wsgi_app
from emulator.backing.proxy import ReverseProxy


class EchoProvider:
    """Keeps the request it was handed (what the edge delivers to a provider) and answers an
    empty list with it under "Received" (which the output shape drops on the wire)."""

    received = None

    def list_models(self, request):
        EchoProvider.received = request
        return {"Models": [], "Received": request}

    list_endpoints = list_endpoint_configs = list_transform_jobs = list_training_jobs = list_models


def call(operation: str, body: bytes):
    EchoProvider.received = None
    response = protocol.handle("sagemaker", f"SageMaker.{operation}", body, EchoProvider())
    answer = json.loads(response.body)
    if EchoProvider.received is not None:
        assert "Received" not in answer  # not a member of the output shape
        answer["Received"] = EchoProvider.received
    return response.status, answer, response.headers


def assert_error(operation: str, body: bytes, code: str, status: int = 400) -> str:
    got_status, answer, headers = call(operation, body)
    assert (got_status, answer.get("__type"), headers.get("x-amzn-ErrorType")) == (status, code, code), answer
    return answer["message"]


# -- JSON that is not a request ----------------------------------------------------------

@pytest.mark.parametrize("body", [b'{"a":' * 5000 + b"1" + b"}" * 5000, b"[" * 5000 + b"]" * 5000,
                                  b'{"NameContains": ' + b"[" * 990 + b"]" * 990 + b"}"],
                         ids=["objects", "arrays", "just under the recursion limit"])
def test_deep_nesting_is_a_serialization_exception(body):
    assert "nests deeper than" in assert_error("ListModels", body, "SerializationException")


def test_nesting_up_to_the_limit_parses():
    depth = protocol.MAX_JSON_DEPTH
    assert protocol.parse_json_object(b'{"a":' * depth + b"1" + b"}" * depth)
    with pytest.raises(SerializationException):
        protocol.parse_json_object(b'{"a":' * (depth + 1) + b"1" + b"}" * (depth + 1))


@pytest.mark.parametrize("body, words", [
    (b'{"NameContains": "\xff\xfe"}', "not valid UTF-8"),
    ('{"NameContains": "a"}'.encode("utf-16"), "not valid UTF-8"),
    (b'{"NameContains": "a"', "not valid JSON"),
    (b"[1, 2]", "not an array"),
    (b"42", "not a scalar"),
    (b"null", "not a scalar"),
    (b'"text"', "not a scalar"),
    (b'{"MaxResults": NaN}', "NaN and Infinity"),
    (b'{"MaxResults": -Infinity}', "NaN and Infinity"),
    (b'{"MaxResults": 1e400}', "out of range"),
    (b'{"MaxResults": 1' + b"0" * 5000 + b"}", "out of range"),
    (b'{"NameContains": "a\\ud800b"}', "lone UTF-16 surrogate"),
])
def test_bodies_that_are_not_a_json_object_are_serialization_exceptions(body, words):
    assert words in assert_error("ListModels", body, "SerializationException")


def test_an_empty_body_is_an_empty_request():
    for body in (b"", b"  \n"):
        status, answer, _ = call("ListModels", body)
        assert (status, answer) == (200, {"Models": [], "Received": {}})


def test_escaped_surrogate_pairs_are_characters():
    status, answer, _ = call("ListModels", b'{"NameContains": "\\ud83d\\ude00"}')
    assert status == 400 and answer["__type"] == "ValidationException"  # the pattern refuses it, the parser not
    assert protocol.parse_json_object(b'{"x": "\\ud83d\\ude00"}') == {"x": "\U0001F600"}


# -- timestamps --------------------------------------------------------------------------

@pytest.mark.parametrize("operation", ["ListModels", "ListEndpoints", "ListEndpointConfigs", "ListTransformJobs"])
@pytest.mark.parametrize("value, shown", [(1e308, "1e+308"), (2**70, str(2**70)), (-1e308, "-1e+308"),
                                          ("9999999999999", "9999999999999"), ("not-a-time", "not-a-time"),
                                          ("2020-13-45", "2020-13-45")])
def test_out_of_range_timestamps_are_validation_exceptions_naming_the_field(operation, value, shown):
    message = assert_error(operation, json.dumps({"CreationTimeBefore": value}).encode(), "ValidationException")
    assert message == ("1 validation error detected: Value '" + shown + "' at 'creationTimeBefore' failed to "
                       "satisfy constraint: Member must be a timestamp (epoch seconds or ISO 8601) between "
                       "0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z")


@pytest.mark.parametrize("value, seconds", [(-1, -1.0), (0, 0.0), (1700000000.5, 1700000000.5),
                                            ("2020-01-01T00:00:00Z", 1577836800.0),
                                            ("2020-01-01T01:00:00+01:00", 1577836800.0)])
def test_valid_timestamps_reach_the_provider_as_epoch_seconds(value, seconds):
    status, answer, _ = call("ListModels", json.dumps({"CreationTimeAfter": value}).encode())
    assert status == 200
    assert answer["Received"] == {"CreationTimeAfter": seconds}


@pytest.mark.parametrize("value", [True, {}, []])
def test_a_timestamp_of_another_json_type_is_a_serialization_exception(value):
    assert_error("ListModels", json.dumps({"CreationTimeAfter": value}).encode(), "SerializationException")


# -- numbers beyond their type -----------------------------------------------------------

def test_integers_beyond_java_int_are_serialization_exceptions():
    shape = operation_model("sagemaker", "CreateTrainingJob").input_shape
    request = {"TrainingJobName": "n", "RoleArn": "arn:aws:iam::123456789012:role/r",
               "AlgorithmSpecification": {"TrainingImage": "img", "TrainingInputMode": "File"},
               "OutputDataConfig": {"S3OutputPath": "s3://b/o"},
               "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 1},
               "StoppingCondition": {"MaxRuntimeInSeconds": 2**31}}
    with pytest.raises(SerializationException, match="stoppingCondition.maxRuntimeInSeconds is out of range"):
        validate(request, shape)
    request["StoppingCondition"]["MaxRuntimeInSeconds"] = 2**31 - 1
    validate(request, shape)  # within int; the model sets no max


def test_longs_beyond_java_long_are_serialization_exceptions():
    shape = operation_model("logs", "GetLogEvents").input_shape
    request = {"logGroupName": "g", "logStreamName": "s", "startTime": 2**63}
    with pytest.raises(SerializationException, match="startTime is out of range for long"):
        validate(request, shape)
    request["startTime"] = 2**63 - 1
    assert validate(request, shape)["startTime"] == 2**63 - 1


def test_constraint_violations_keep_aws_wording():
    with pytest.raises(ValidationException, match="Value '101' at 'maxResults' failed to satisfy constraint: "
                                                  "Member must have value less than or equal to 100"):
        validate({"MaxResults": 101}, operation_model("sagemaker", "ListModels").input_shape)


# -- the body cap ------------------------------------------------------------------------

def environ_with(body: bytes, **extra) -> dict:
    return {"wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body)), **extra}


def test_a_body_over_the_cap_is_413_before_it_is_read():
    environ = environ_with(b"", CONTENT_LENGTH=str(protocol.MAX_BODY_BYTES + 1))
    with pytest.raises(RequestEntityTooLarge) as info:
        read_body(environ)
    assert (info.value.status, info.value.code) == (413, "RequestEntityTooLargeException")


def test_an_unmeasured_chunked_body_is_capped_too():
    environ = {"wsgi.input": io.BytesIO(b"x" * 11), "wsgi.input_terminated": True}
    with pytest.raises(RequestEntityTooLarge):
        read_body(environ, limit=10)
    environ = {"wsgi.input": io.BytesIO(b"x" * 10), "wsgi.input_terminated": True}
    assert read_body(environ, limit=10) == b"x" * 10


@pytest.mark.parametrize("length", ["abc", "-5"])
def test_a_broken_content_length_is_a_serialization_exception(length):
    with pytest.raises(SerializationException):
        read_body(environ_with(b"{}", CONTENT_LENGTH=length))


# -- CloudWatch Logs, checked before moto sees it ----------------------------------------

LOGS_AUTH = "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/logs/aws4_request, SignedHeaders=host, Signature=0"


@pytest.fixture(scope="module")
def logs_edge():
    return Client(JsonEdge(moto_wsgi_app(), {"logs": "logs"}))


def logs_call(client, operation: str, body: bytes):
    response = client.post("/", data=body, headers={
        "X-Amz-Target": f"Logs_20140328.{operation}", "Content-Type": protocol.JSON_11, "Authorization": LOGS_AUTH})
    return response.status_code, json.loads(response.get_data() or b"{}"), response.headers


@pytest.mark.parametrize("operation, body, code", [
    ("DescribeLogGroups", b"\xff", "SerializationException"),
    ("DescribeLogGroups", b"{", "SerializationException"),
    ("DescribeLogGroups", b'{"a":' * 5000, "SerializationException"),
    ("DescribeLogGroups", b"[]", "SerializationException"),
    ("DescribeLogGroups", b'{"limit": "x"}', "SerializationException"),
    ("CreateLogGroup", b"{}", "InvalidParameterException"),
    ("CreateLogGroup", b'{"logGroupName": ""}', "InvalidParameterException"),
    ("NoSuchOperation", b"{}", "UnknownOperationException"),
    ("CancelImportTask", b'{"importId": "x"}', "UnknownOperationException"),  # moto has no such operation
])
def test_logs_requests_the_model_refuses_never_reach_moto(logs_edge, operation, body, code):
    status, answer, headers = logs_call(logs_edge, operation, body)
    assert (status, answer["__type"], headers["x-amzn-ErrorType"]) == (400, code, code), answer


def test_logs_validation_uses_the_services_code_and_aws_wording(logs_edge):
    _, answer, _ = logs_call(logs_edge, "CreateLogGroup", b"{}")
    assert answer["message"] == ("1 validation error detected: Value null at 'logGroupName' failed to satisfy "
                                 "constraint: Member must not be null")


def test_valid_logs_requests_are_served_by_moto(logs_edge):
    assert logs_call(logs_edge, "CreateLogGroup", b'{"logGroupName": "/fuzz/unit"}')[0] == 200
    status, answer, _ = logs_call(logs_edge, "DescribeLogGroups", b'{"logGroupNamePrefix": "/fuzz/unit"}')
    assert status == 200 and [g["logGroupName"] for g in answer["logGroups"]] == ["/fuzz/unit"]
    assert logs_call(logs_edge, "DeleteLogGroup", b'{"logGroupName": "/fuzz/unit"}')[0] == 200


# -- the S3 proxy's own answers ----------------------------------------------------------

def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proxy_answer(proxy: ReverseProxy, path: str, query: str = ""):
    environ = EnvironBuilder(path=path, query_string=query, method="GET").get_environ()
    environ["PATH_INFO"] = unquote_to_bytes(path).decode("latin-1")  # as waitress hands it over
    body, status, _ = run_wsgi_app(proxy, environ, buffered=True)
    return int(status.split()[0]), b"".join(body)


def test_s3_store_down_is_a_503_in_s3s_shape():
    status, body = proxy_answer(ReverseProxy(f"http://127.0.0.1:{closed_port()}"), "/bucket/key")
    assert status == 503 and b"<Error><Code>ServiceUnavailable</Code>" in body


@pytest.mark.parametrize("path, query", [("/bucket", "list-type=2&prefix=%ff"), ("/bucket/%ff%fe", "")])
def test_s3_uris_that_are_not_utf8_are_invalid_uri(path, query):
    # The upstream is never asked: a closed port would answer 503.
    status, body = proxy_answer(ReverseProxy(f"http://127.0.0.1:{closed_port()}"), path, query)
    assert status == 400 and b"<Error><Code>InvalidURI</Code>" in body
