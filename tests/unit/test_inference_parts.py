"""Pieces of the inference path that need no Docker: framing, filters, capture lines, lists."""

import datetime
import json

import pytest
from botocore.eventstream import EventStreamBuffer

from emulator.hosting import filters
from emulator.hosting.live import last_error
from emulator.runtime import eventstream
from emulator.runtime.capture import capture_record
from emulator.sagemaker.inference.endpoints import ENDPOINT
from emulator.sagemaker.resources import list_page


def test_event_stream_frames_decode_with_botocore():
    buffer = EventStreamBuffer()
    buffer.add_data(eventstream.event("PayloadPart", b'{"a": 1}') + eventstream.event("PayloadPart", b"\x00\xff"))
    messages = list(buffer)
    assert [m.payload for m in messages] == [b'{"a": 1}', b"\x00\xff"]
    assert messages[0].headers[":event-type"] == "PayloadPart"
    assert messages[0].headers[":message-type"] == "event"


def test_event_stream_exceptions_decode_with_botocore():
    buffer = EventStreamBuffer()
    buffer.add_data(eventstream.exception("ModelStreamError", b'{"Message": "m", "ErrorCode": "StreamBroken"}'))
    [message] = list(buffer)
    assert message.headers[":message-type"] == "exception"
    assert message.headers[":exception-type"] == "ModelStreamError"


@pytest.mark.parametrize("path, value, expected", [
    ("$", {"a": 1}, {"a": 1}),
    ("$.features", {"features": [1, 2]}, [1, 2]),
    ("$.a.b", {"a": {"b": 3}}, 3),
    ("$['id','out']", {"id": 1, "out": 2, "x": 3}, {"id": 1, "out": 2}),
    ("$[0,-1]", [1, 2, 3], [1, 3]),
    ("$[1:]", [1, 2, 3], [2, 3]),
    ("$[:2]", [1, 2, 3], [1, 2]),
    ("$.*", {"a": 1, "b": 2}, [1, 2]),
    ("$[-2]", [1, 2, 3], 2),
])
def test_json_path_subset(path, value, expected):
    assert filters.select(value, path) == expected


def test_json_path_errors_name_the_path():
    with pytest.raises(filters.FilterError, match=r"\$\[5\]"):
        filters.select([1], "$[5]")
    with pytest.raises(filters.FilterError):
        filters.select({}, "features")


def test_join_source_shapes():
    assert filters.join({"id": 1}, b"[0.5]", csv_format=False) == {"id": 1, "SageMakerOutput": [0.5]}
    assert filters.join([1, 2], b"0.5", csv_format=False) == {"SageMakerInput": [1, 2], "SageMakerOutput": 0.5}
    row = filters.join(filters.parse_record(b"1,2,3", True), b"0.5,0.7", csv_format=True)
    assert filters.render_record(row, True) == b"1,2,3,0.5,0.7"


def test_capture_record_format():
    config = {"CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
              "CaptureContentTypeHeader": {"CsvContentTypes": ["text/csv"]}}
    when = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    record = capture_record(config, "text/csv", b"1,2", "application/x-npy", b"\x93NUMPY", "abc", when)
    assert record["captureData"]["endpointInput"] == {"observedContentType": "text/csv", "mode": "INPUT",
                                                      "data": "1,2", "encoding": "CSV"}
    assert record["captureData"]["endpointOutput"]["encoding"] == "BASE64"
    assert record["eventMetadata"]["inferenceTime"] == "2026-01-02T03:04:05Z"
    assert record["eventMetadata"]["inferenceId"] == "abc"
    assert record["eventVersion"] == "0"
    json.dumps(record)
    only_input = capture_record({"CaptureOptions": [{"CaptureMode": "Input"}]}, "application/json", b"{}",
                                "application/json", b"{}", None, when)
    assert set(only_input["captureData"]) == {"endpointInput"}


def test_endpoint_lists_default_to_newest_first_and_filter_status():
    docs = [{"EndpointName": f"e{i}", "EndpointArn": f"arn/e{i}", "CreationTime": i, "LastModifiedTime": i,
             "EndpointStatus": "InService" if i % 2 else "Failed"} for i in range(5)]
    assert [e["EndpointName"] for e in list_page(list(docs), {}, ENDPOINT)["Endpoints"]] == \
        ["e4", "e3", "e2", "e1", "e0"]
    result = list_page(list(docs), {"StatusEquals": "InService", "SortBy": "Name", "SortOrder": "Ascending"}, ENDPOINT)
    assert [e["EndpointName"] for e in result["Endpoints"]] == ["e1", "e3"]
    first = list_page(list(docs), {"MaxResults": 2}, ENDPOINT)
    second = list_page(list(docs), {"MaxResults": 2, "NextToken": first["NextToken"]}, ENDPOINT)
    assert [e["EndpointName"] for e in second["Endpoints"]] == ["e2", "e1"]


def test_last_error_skips_the_servers_own_shutdown():
    lines = ["Traceback (most recent call last):", "  File x", "RuntimeError: model_fn was told to fail",
             "[INFO] Shutting down: Master", "gunicorn.errors.HaltServer: <HaltServer 'Worker failed to boot.' 3>"]
    assert last_error(lines) == "RuntimeError: model_fn was told to fail"
    assert last_error(["just a line"]) == "just a line"
