"""InvokeEndpoint's wire on the in-process emulator: a body sent chunked (no Content-Length,
as an HTTP client streaming a file of unknown size sends it) reaches the container whole, and
one over the 6 MB limit is refused as InvokeEndpoint refuses a measured one."""

import http.client
import json

from test_in_process_endpoints import deploy, echo, settled  # noqa: F401 (deploy is a fixture)

from fake_runner import ServeProgram

SIGNED = {"Content-Type": "text/plain", "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/"
          "sagemaker/aws4_request, SignedHeaders=host, Signature=0"}


def post_chunked(port: int, endpoint: str, pieces) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("POST", f"/endpoints/{endpoint}/invocations", body=iter(pieces), headers=SIGNED,
                       encode_chunked=True)
    return connection.getresponse()


def test_a_chunked_body_reaches_the_container_whole(sm, in_process, image, deploy):  # noqa: F811
    endpoint = deploy(image(ServeProgram(echo)))
    assert settled(sm, endpoint)["EndpointStatus"] == "InService"
    answer = post_chunked(in_process.port, endpoint, [b"[1, ", b"2, ", b"3]"])
    assert (answer.status, answer.read()) == (200, b"no model saw [1, 2, 3]")


def test_a_chunked_body_over_6_mb_is_refused(sm, in_process, image, deploy):  # noqa: F811
    endpoint = deploy(image(ServeProgram(echo)))
    assert settled(sm, endpoint)["EndpointStatus"] == "InService"
    answer = post_chunked(in_process.port, endpoint, [b"x" * (1024 * 1024)] * 6 + [b"x"])
    assert (answer.status, answer.getheader("x-amzn-ErrorType")) == (400, "ValidationError")
    assert json.loads(answer.read())["message"] == ("Request body exceeds the maximum of 6291456 bytes (6 MB) "
                                                    "for InvokeEndpoint.")
