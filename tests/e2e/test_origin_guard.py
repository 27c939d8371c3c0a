"""Browser-origin and DNS-rebinding protection (issue 10, item 4), over HTTP as clients meet it:
the SDK, the CLI, presigned URLs, the console and job containers keep working; a page on a
foreign origin, or under a foreign name re-pointed at 127.0.0.1 (DNS rebinding), is refused
with AWS's AccessDenied.

A foreign Host is made without DNS by sending the request through the emulator as its HTTP
proxy: the client then asks for http://evil.example:PORT/... and the emulator receives it as
a rebinding page's request arrives, with `Host: evil.example:PORT`."""

import http.server
import json
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import boto3
import pytest
import urllib3
from botocore.config import Config
from botocore.exceptions import ClientError

from emulator_process import EmulatorProcess
from helpers import PYTORCH_DLC, ensure_bucket, read_tar, training_request, user_shell_env, wait_for
from hosting import unique

BIN = Path(sys.executable).parent
EVIL = "http://evil.example"
HTTP = urllib3.PoolManager(retries=False, timeout=30)


def client_as(emulator, service: str, host: str):
    """A boto3 client whose requests reach the emulator under another Host name."""
    return boto3.client(service, endpoint_url=f"http://{host}:{emulator.port}", region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(proxies={"http": emulator.url}, retries={"max_attempts": 1}))


def cli(env, *args):
    return subprocess.run([str(BIN / "aws"), *args], env=env, capture_output=True, text=True, timeout=120)


def cli_as(emulator, env, host: str, *args):
    """The AWS CLI pointed at http://HOST:PORT, reaching the emulator through it as proxy."""
    proxied = {**env, "HTTP_PROXY": emulator.url, "http_proxy": emulator.url, "NO_PROXY": "", "no_proxy": ""}
    return cli(proxied, *args, "--endpoint-url", f"http://{host}:{emulator.port}")


def list_jobs_request(emulator, **headers):
    """ListTrainingJobs as the console sends it (SigV4-shaped Authorization, unsigned)."""
    return HTTP.request("POST", emulator.url + "/", body=b"{}", headers={
        "Authorization": "AWS4-HMAC-SHA256 Credential=console/20250101/us-east-1/sagemaker/aws4_request, "
                         "SignedHeaders=host, Signature=console",
        "X-Amz-Target": "SageMaker.ListTrainingJobs", "Content-Type": "application/x-amz-json-1.1", **headers})


def preflight(emulator, origin, method="POST"):
    return HTTP.request("OPTIONS", emulator.url + "/", headers={
        "Origin": origin, "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "authorization,content-type,x-amz-target"})


def cors_headers(response) -> list[str]:
    return [k for k in response.headers if k.lower().startswith("access-control-")]


def assert_s3_denied(response, message_start):
    assert response.status == 403, response.data
    body = response.data.decode()
    assert "<Code>AccessDenied</Code>" in body and f"<Message>{message_start}" in body, body


def assert_json_denied(response, message_start):
    assert response.status == 403, response.data
    assert response.headers["x-amzn-ErrorType"] == "AccessDeniedException"
    body = json.loads(response.data)
    assert body["__type"] == "AccessDeniedException" and body["message"].startswith(message_start), body


@pytest.fixture(scope="module")
def user_env(emulator, tmp_path_factory):
    return user_shell_env(emulator.port, tmp_path_factory.mktemp("guard-cli-home"))


# --- what must keep working ---------------------------------------------------------------

def test_sdk_and_cli_calls_pass(emulator, sm, s3, user_env):
    bucket = unique("guard")
    ensure_bucket(s3, bucket)
    s3.put_object(Bucket=bucket, Key="a.txt", Body=b"hello")
    assert s3.get_object(Bucket=bucket, Key="a.txt")["Body"].read() == b"hello"
    assert "TrainingJobSummaries" in sm.list_training_jobs()
    localhost = boto3.client("sagemaker", endpoint_url=f"http://localhost:{emulator.port}", region_name="us-east-1",
                             aws_access_key_id="test", aws_secret_access_key="test")
    assert "TrainingJobSummaries" in localhost.list_training_jobs()

    listed = cli(user_env, "s3", "ls", f"s3://{bucket}/")
    assert listed.returncode == 0 and "a.txt" in listed.stdout, listed.stderr
    jobs = cli(user_env, "sagemaker", "list-training-jobs")
    assert jobs.returncode == 0 and "TrainingJobSummaries" in json.loads(jobs.stdout), jobs.stderr


def test_presigned_urls_without_origin_and_from_own_origin(emulator, s3):
    bucket = unique("guard-presigned")
    ensure_bucket(s3, bucket)
    s3.put_object(Bucket=bucket, Key="weights.bin", Body=b"\x00\x01weights")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "weights.bin"})

    plain = HTTP.request("GET", url)
    assert (plain.status, plain.data) == (200, b"\x00\x01weights")
    assert "Access-Control-Allow-Origin" not in plain.headers  # SeaweedFS's "*" does not leave

    own = HTTP.request("GET", url, headers={"Origin": emulator.url})
    assert (own.status, own.data) == (200, b"\x00\x01weights")
    assert own.headers["Access-Control-Allow-Origin"] == emulator.url

    assert_s3_denied(HTTP.request("GET", url, headers={"Origin": EVIL}), f"Origin '{EVIL}' is not allowed")


def test_console_page_and_its_same_origin_calls(emulator):
    own = {"Origin": emulator.url, "Host": f"127.0.0.1:{emulator.port}"}
    page = HTTP.request("GET", emulator.url + "/", headers={"Host": own["Host"], "Accept": "text/html"})
    assert page.status == 200 and b"<html" in page.data.lower()

    granted = preflight(emulator, emulator.url)
    assert granted.status == 204
    assert granted.headers["Access-Control-Allow-Origin"] == emulator.url
    assert granted.headers["Access-Control-Allow-Methods"] == "POST"
    assert "x-amz-target" in granted.headers["Access-Control-Allow-Headers"]

    listed = list_jobs_request(emulator, **own)
    assert listed.status == 200 and "TrainingJobSummaries" in json.loads(listed.data)
    assert listed.headers["Access-Control-Allow-Origin"] == emulator.url


# --- what must be refused -------------------------------------------------------------------

def test_foreign_host_is_refused_for_sagemaker_and_s3(emulator, s3):
    bucket = unique("guard-host")
    ensure_bucket(s3, bucket)
    s3.put_object(Bucket=bucket, Key="secret.txt", Body=b"secret")
    host = f"evil.example:{emulator.port}"
    hint = "Host 'evil.example' is not allowed: start the emulator with --allow-host evil.example to allow it"

    assert_json_denied(list_jobs_request(emulator, Host=host), hint)
    assert_s3_denied(HTTP.request("GET", f"{emulator.url}/{bucket}/secret.txt", headers={"Host": host}), hint)

    # What the SDK shows a user who pointed it at a name the emulator was not told about.
    with pytest.raises(ClientError) as denied:
        client_as(emulator, "sagemaker", "evil.example").list_training_jobs()
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
    assert denied.value.response["Error"]["Message"].startswith(hint)
    assert denied.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    with pytest.raises(ClientError) as denied:
        client_as(emulator, "s3", "evil.example").get_object(Bucket=bucket, Key="secret.txt")
    assert denied.value.response["Error"]["Code"] == "AccessDenied"
    assert denied.value.response["Error"]["Message"].startswith(hint)


def test_foreign_host_is_refused_for_the_cli(emulator, user_env):
    result = cli_as(emulator, user_env, "evil.example", "sagemaker", "list-training-jobs")
    assert result.returncode != 0
    assert ("An error occurred (AccessDeniedException) when calling the ListTrainingJobs operation: "
            "Host 'evil.example' is not allowed") in result.stderr, result.stderr


def test_foreign_origin_is_refused(emulator):
    assert_json_denied(list_jobs_request(emulator, Origin=EVIL),
                       f"Origin '{EVIL}' is not allowed: start the emulator with --allow-origin {EVIL} to allow it")
    assert_json_denied(list_jobs_request(emulator, Origin="null"), "Origin 'null' is not allowed")
    # Another port on this machine is another origin, too.
    assert_json_denied(list_jobs_request(emulator, Origin="http://127.0.0.1:1"), "Origin 'http://127.0.0.1:1'")


def test_preflight_from_a_foreign_origin_is_not_granted(emulator):
    for method in ("POST", "PUT", "DELETE"):
        refused = preflight(emulator, EVIL, method)
        assert refused.status == 403 and cors_headers(refused) == []
        assert_s3_denied(refused, f"Origin '{EVIL}' is not allowed")


# --- the user's flags ------------------------------------------------------------------------

class Site:
    """A web page served from another port of this machine: another origin, in the same
    (loopback) address space, so no browser rule but the emulator's own stands between them."""

    PAGE = b"<html><body>cat pictures</body></html>"

    def __init__(self):
        page = self.PAGE

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args):
                pass
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def sites():
    """Two pages: one the user allows with --allow-origin, one nobody allowed."""
    pair = Site(), Site()
    yield pair
    for site in pair:
        site.server.shutdown()


@pytest.fixture(scope="module")
def permissive(tmp_path_factory, sites):
    proc = EmulatorProcess(tmp_path_factory.mktemp("guard-flags") / "data",
                           extra_args=["--allow-host", "evil.example", "--allow-origin", "http://localhost:3000",
                                       "--allow-origin", sites[0].origin],
                           env={"SAGEMAKER_EMULATOR_ALLOW_HOSTS": "first.example, second.example",
                                "SAGEMAKER_EMULATOR_ALLOW_ORIGINS": "https://app.example"}).start()
    yield proc
    proc.stop()


def test_allow_host_lets_that_name_in(permissive, tmp_path):
    for host in ("evil.example", "first.example", "second.example"):
        assert "TrainingJobSummaries" in client_as(permissive, "sagemaker", host).list_training_jobs()
    s3 = permissive.client("s3")
    s3.create_bucket(Bucket="allowed")
    s3.put_object(Bucket="allowed", Key="k", Body=b"v")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "allowed", "Key": "k"})
    got = HTTP.request("GET", url, headers={"Host": f"evil.example:{permissive.port}"})
    assert (got.status, got.data) == (200, b"v")
    with pytest.raises(ClientError) as denied:
        client_as(permissive, "sagemaker", "third.example").list_training_jobs()
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"

    env = user_shell_env(permissive.port, tmp_path / "home")
    result = cli_as(permissive, env, "evil.example", "sagemaker", "list-training-jobs")
    assert result.returncode == 0 and "TrainingJobSummaries" in json.loads(result.stdout), result.stderr


def test_allow_origin_lets_that_origin_in(permissive):
    for origin in ("http://localhost:3000", "https://app.example"):
        granted = preflight(permissive, origin)
        assert granted.status == 204 and granted.headers["Access-Control-Allow-Origin"] == origin
        listed = list_jobs_request(permissive, Origin=origin)
        assert listed.status == 200 and listed.headers["Access-Control-Allow-Origin"] == origin
    refused = preflight(permissive, "http://localhost:3001")
    assert refused.status == 403 and cors_headers(refused) == []


# --- job containers reach the emulator through host.docker.internal ------------------------

CALL_BACK = textwrap.dedent("""
    import json, os, socket, urllib.error, urllib.request
    import boto3
    endpoint = os.environ["AWS_ENDPOINT_URL"]
    port = endpoint.rsplit(":", 1)[1]
    def status(url, host=None):
        request = urllib.request.Request(url, headers={"Host": host} if host else {})
        try:
            return urllib.request.urlopen(request, timeout=30).status
        except urllib.error.HTTPError as error:
            return error.code
    described = boto3.client("sagemaker").describe_training_job(TrainingJobName=os.environ["TRAINING_JOB_NAME"])
    gateway = socket.gethostbyname("host.docker.internal")
    report = {"endpoint": endpoint.split("://")[1].rsplit(":", 1)[0],
              "status": described["TrainingJobStatus"],
              "buckets": "Buckets" in boto3.client("s3").list_buckets(),
              "by_gateway_address": status(f"http://{gateway}:{port}/_emulator/health"),
              "under_a_foreign_name": status(f"http://{gateway}:{port}/_emulator/health", f"evil.example:{port}")}
    open("/opt/ml/model/report.json", "w").write(json.dumps(report))
""")


@pytest.mark.docker
def test_a_job_container_calls_the_emulator(emulator, sm, s3):
    if json.loads(HTTP.request("GET", emulator.url + "/_emulator/health").data)["runner"] != "docker":
        pytest.skip("jobs run in the process runner here, which calls 127.0.0.1")
    name = unique("guard-job")
    ensure_bucket(s3, "guard-jobs")
    s3.put_object(Bucket="guard-jobs", Key=f"{name}/call_back.py", Body=CALL_BACK.encode())
    request = training_request(name, "guard-jobs", {}, channels=[("code", f"s3://guard-jobs/{name}/")])
    request["AlgorithmSpecification"] = {
        "TrainingImage": PYTORCH_DLC, "TrainingInputMode": "File",
        "ContainerEntrypoint": ["python", "/opt/ml/input/data/code/call_back.py"]}
    sm.create_training_job(**request)
    desc = wait_for(sm, name)
    assert desc["TrainingJobStatus"] == "Completed", desc.get("FailureReason")
    report = json.loads(read_tar(s3, desc["ModelArtifacts"]["S3ModelArtifacts"])["report.json"])
    assert report == {"endpoint": "host.docker.internal", "status": "InProgress", "buckets": True,
                      "by_gateway_address": 200, "under_a_foreign_name": 403}


# --- a real browser -----------------------------------------------------------------------

ATTACK = """async (url) => {
  try {
    const response = await fetch(url + "/", {method: "POST", body: "{}", headers: {
      "X-Amz-Target": "SageMaker.ListTrainingJobs", "Content-Type": "application/x-amz-json-1.1",
      "Authorization": "AWS4-HMAC-SHA256 Credential=a/20250101/us-east-1/sagemaker/aws4_request, Signature=a"}});
    return "read " + response.status;
  } catch (error) {
    return "blocked";
  }
}"""


@pytest.mark.docker  # with Chromium, as the console tests
def test_a_browser_on_a_foreign_page_or_rebound_name_is_kept_out(emulator, permissive, sites):
    from playwright.sync_api import sync_playwright

    from browser import CHROMIUM, FLAGS

    with sync_playwright() as playwright:
        # DNS rebinding without DNS: Chromium resolves evil.example to this machine.
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=[*FLAGS, "--host-resolver-rules=MAP evil.example 127.0.0.1"])
        try:
            page = browser.new_page()
            rebound = page.goto(f"http://evil.example:{emulator.port}/")
            assert rebound.status == 403 and "is not allowed" in page.content()
            assert page.evaluate(ATTACK, f"http://evil.example:{emulator.port}") == "read 403"

            # A page on another port: its call dies at the preflight, unless the user allowed it.
            allowed, foreign = sites
            page.goto(foreign.origin + "/")
            assert page.evaluate(ATTACK, emulator.url) == "blocked"
            assert page.evaluate(ATTACK, permissive.url) == "blocked"
            page.goto(allowed.origin + "/")
            assert page.evaluate(ATTACK, emulator.url) == "blocked"
            assert page.evaluate(ATTACK, permissive.url) == "read 200"

            # The console itself, same origin, still reads the API.
            page.goto(emulator.url + "/")
            assert page.evaluate(ATTACK, emulator.url) == "read 200"
        finally:
            browser.close()
