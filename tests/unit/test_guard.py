"""The Host/Origin guard as a WSGI layer, without a server: what a browser, an SDK or a
rebinding page gets back, and that botocore reads the refusal's code and message."""

import io

import botocore.session
import pytest
from botocore import parsers

from emulator.aws import routing
from emulator.aws.guard import OriginGuard, host_name

PORT = 8787


def backend(environ, start_response):
    # As SeaweedFS and moto do: every origin welcome.
    start_response("200 OK", [("Content-Type", "text/plain"), ("Access-Control-Allow-Origin", "*")])
    return [b"served"]


def call(guard, host=f"127.0.0.1:{PORT}", origin=None, method="GET", service=routing.S3, **headers):
    environ = {"REQUEST_METHOD": method, "PATH_INFO": "/", "wsgi.url_scheme": "http",
               "wsgi.input": io.BytesIO(b"")}
    if host is not None:
        environ["HTTP_HOST"] = host
    if origin is not None:
        environ["HTTP_ORIGIN"] = origin
    for name, value in headers.items():
        key = name.upper()
        environ[key if key == "CONTENT_TYPE" else "HTTP_" + key] = value
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"] = int(status.split()[0])
        answer["headers"] = response_headers
    body = b"".join(guard(environ, start_response, service, backend))
    return answer["status"], dict(answer["headers"]), body


def botocore_error(service_name, status, headers, body):
    model = botocore.session.get_session().get_service_model(service_name)
    parser = parsers.create_parser(model.protocol)
    operation = model.operation_model(model.operation_names[0])
    parsed = parser.parse({"status_code": status, "headers": headers, "body": body}, operation.output_shape)
    return parsed["Error"]["Code"], parsed["Error"]["Message"]


@pytest.mark.parametrize("header,name", [
    ("127.0.0.1:8787", "127.0.0.1"), ("LOCALHOST:8787", "localhost"), ("[::1]:8787", "::1"), ("[::1]", "::1"),
    ("::1", "::1"), ("evil.example", "evil.example"), ("evil.example.:80", "evil.example"),
])
def test_host_name_strips_port_and_brackets(header, name):
    assert host_name(header) == name


@pytest.mark.parametrize("host", [
    "127.0.0.1:8787", "127.8.9.10:8787", "[::1]:8787", "localhost:8787", "LocalHost", "app.localhost:8787",
    "host.docker.internal:8787", None,
])
def test_loopback_and_docker_names_pass(host):
    assert call(OriginGuard("127.0.0.1"), host=host)[:3:2] == (200, b"served")


@pytest.mark.parametrize("host", [
    "evil.example:8787", "localhost.evil.example", "192.168.1.5:8787", "10.0.0.1", "[fe80::1]:8787",
    "0.0.0.0:8787", "127.0.0.1.nip.io:8787",
])
def test_foreign_hosts_are_refused(host):
    status, headers, body = call(OriginGuard("127.0.0.1"), host=host)
    assert status == 403
    assert "Access-Control-Allow-Origin" not in headers
    code, message = botocore_error("s3", status, headers, body)
    name = host_name(host)
    assert code == "AccessDenied"
    assert message.startswith(f"Host '{name}' is not allowed: start the emulator with --allow-host {name}")


def test_the_listen_address_and_the_bridge_gateway_pass_once_known():
    guard = OriginGuard("192.168.1.5")
    assert call(guard, host="192.168.1.5:8787")[0] == 200
    assert call(guard, host="172.17.0.1:8787")[0] == 403
    guard.allow_host("172.17.0.1")
    assert call(guard, host="172.17.0.1:8787")[0] == 200
    assert call(guard, host="evil.example")[0] == 403


def test_bound_to_every_address_any_address_literal_passes_but_names_do_not():
    guard = OriginGuard("0.0.0.0")
    assert call(guard, host="192.168.1.5:8787")[0] == 200
    assert call(guard, host="[2001:db8::5]:8787")[0] == 200
    assert call(guard, host="mybox.lan:8787")[0] == 403


def test_allowed_names_and_star():
    guard = OriginGuard("127.0.0.1", allow_hosts=["MyBox.lan", "10.1.2.3"])
    assert call(guard, host="mybox.lan:8787")[0] == 200
    assert call(guard, host="10.1.2.3")[0] == 200
    assert call(guard, host="other.lan")[0] == 403
    assert call(OriginGuard("127.0.0.1", allow_hosts=["*"]), host="anything.example")[0] == 200


def test_no_origin_and_own_origin_pass_and_get_no_star():
    guard = OriginGuard("127.0.0.1")
    status, headers, _ = call(guard)
    assert status == 200 and "Access-Control-Allow-Origin" not in headers  # the backend's "*" is gone
    for host, origin in [("127.0.0.1:8787", "http://127.0.0.1:8787"), ("localhost:8787", "http://LOCALHOST:8787/"),
                         ("localhost", "http://localhost:80")]:
        status, headers, _ = call(guard, host=host, origin=origin, method="POST")
        assert status == 200
        assert headers["Access-Control-Allow-Origin"] == origin and headers["Vary"] == "Origin"


@pytest.mark.parametrize("origin", ["http://evil.example", "http://127.0.0.1:9999", "https://127.0.0.1:8787",
                                    "null", "http://localhost:8787"])
def test_foreign_origins_are_refused(origin):
    status, headers, body = call(OriginGuard("127.0.0.1"), origin=origin, method="POST", service=routing.SAGEMAKER,
                                 content_type="application/x-amz-json-1.1")
    assert status == 403 and "Access-Control-Allow-Origin" not in headers
    code, message = botocore_error("sagemaker", status, headers, body)
    assert code == "AccessDeniedException"
    assert message.startswith(f"Origin '{origin}' is not allowed: ")
    if origin != "null":
        assert f"--allow-origin {origin}" in message


def test_allowed_origins_and_star():
    guard = OriginGuard("127.0.0.1", allow_origins=["http://localhost:3000"])
    status, headers, _ = call(guard, origin="http://localhost:3000")
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert call(guard, origin="http://localhost:3001")[0] == 403
    everyone = OriginGuard("127.0.0.1", allow_origins=["*"])
    status, headers, _ = call(everyone, origin="http://evil.example")
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "http://evil.example"


def test_an_allowed_origin_does_not_let_a_foreign_host_in():
    guard = OriginGuard("127.0.0.1", allow_origins=["*"])
    assert call(guard, host="evil.example:8787", origin="http://evil.example:8787")[0] == 403


def preflight(guard, origin):
    return call(guard, origin=origin, method="OPTIONS", access_control_request_method="POST",
                access_control_request_headers="authorization,content-type,x-amz-target")


def test_preflight_from_own_origin_is_granted_by_the_guard():
    status, headers, body = preflight(OriginGuard("127.0.0.1"), f"http://127.0.0.1:{PORT}")
    assert (status, body) == (204, b"")
    assert headers["Access-Control-Allow-Origin"] == f"http://127.0.0.1:{PORT}"
    assert headers["Access-Control-Allow-Methods"] == "POST"
    assert headers["Access-Control-Allow-Headers"] == "authorization,content-type,x-amz-target"
    assert headers["Vary"] == "Origin" and int(headers["Access-Control-Max-Age"]) > 0


def test_private_network_preflight_is_granted_to_allowed_origins_only():
    guard = OriginGuard("127.0.0.1", allow_origins=["https://app.example"])
    status, headers, _ = call(guard, origin="https://app.example", method="OPTIONS",
                              access_control_request_method="POST", access_control_request_private_network="true")
    assert status == 204 and headers["Access-Control-Allow-Private-Network"] == "true"
    status, headers, _ = call(guard, origin="https://other.example", method="OPTIONS",
                              access_control_request_method="POST", access_control_request_private_network="true")
    assert status == 403 and "Access-Control-Allow-Private-Network" not in headers
    assert "Access-Control-Allow-Private-Network" not in preflight(guard, f"http://127.0.0.1:{PORT}")[1]


def test_preflight_from_a_foreign_origin_is_refused_without_cors_headers():
    status, headers, body = preflight(OriginGuard("127.0.0.1"), "http://evil.example")
    assert status == 403
    assert not [k for k in headers if k.lower().startswith("access-control-")]
    assert botocore_error("s3", status, headers, body)[0] == "AccessDenied"


def test_an_options_request_without_origin_reaches_the_backend():
    assert call(OriginGuard("127.0.0.1"), method="OPTIONS", access_control_request_method="GET")[2] == b"served"


@pytest.mark.parametrize("service_name,service,content_type,code", [
    ("sts", routing.IDENTITY, "application/x-www-form-urlencoded; charset=utf-8", "AccessDenied"),
    ("iam", routing.IDENTITY, "application/x-www-form-urlencoded; charset=utf-8", "AccessDenied"),
    ("logs", routing.MOTO, "application/x-amz-json-1.1", "AccessDeniedException"),
    ("cloudwatch", routing.MOTO, "application/cbor", "AccessDeniedException"),
    ("sagemaker-runtime", routing.SAGEMAKER_RUNTIME, "application/json", "AccessDeniedException"),
    ("sagemaker", None, "application/x-amz-json-1.1", "AccessDeniedException"),
])
def test_refusals_are_shaped_for_each_protocol(service_name, service, content_type, code):
    status, headers, body = call(OriginGuard("127.0.0.1"), host="rebound.example", method="POST",
                                 service=service, content_type=content_type)
    assert status == 403
    assert botocore_error(service_name, status, headers, body) == (
        code, "Host 'rebound.example' is not allowed: start the emulator with --allow-host rebound.example "
              "to allow it (or set SAGEMAKER_EMULATOR_ALLOW_HOSTS)")


def test_a_person_opening_the_console_under_a_foreign_name_reads_why():
    status, headers, body = call(OriginGuard("127.0.0.1"), host="mybox.lan:8787", service=routing.CONSOLE)
    assert (status, headers["Content-Type"]) == (403, "text/plain; charset=utf-8")
    assert body.decode().startswith("AccessDenied: Host 'mybox.lan' is not allowed: start the emulator with "
                                    "--allow-host mybox.lan")
