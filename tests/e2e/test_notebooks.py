"""Notebook instances end to end: boto3 against `sagemaker-emulator serve`, the real notebook image
(JupyterLab) on Docker. The life cycle with its lifecycle scripts (as root, logged to CloudWatch),
signing in through the presigned URL (and everything else refused), the home's files across Stop
and Start and an emulator restart, cells that call the emulator from inside (role, session,
bucket), what the container is not given (socket, host credentials, a port beyond loopback), and
the MNIST example notebook run headless in the container (nbclient's `jupyter execute`).
A Studio space's JupyterLab app is opened the same way."""

import base64
import json
import time
import uuid

import docker
import pytest
import requests

from emulator.sagemaker.images import NOTEBOOK_IMAGE
from emulator_process import EmulatorProcess
from helpers import REPO, log_messages, wait_until

pytestmark = pytest.mark.docker

ROLE = "arn:aws:iam::123456789012:role/NotebookRole"
HOME = "/home/ec2-user/SageMaker"
GROUP = "/aws/sagemaker/NotebookInstances"
WAIT = {"Delay": 0.2, "MaxAttempts": 900}
HOST_SECRET = "the-host-s-own-secret"  # in the emulator's environment: must not reach a notebook


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """An emulator of this module's own (it is restarted), with credentials of the host's own."""
    data = tmp_path_factory.mktemp("notebooks") / "data"
    env = {"AWS_ACCESS_KEY_ID": "host-key", "AWS_SECRET_ACCESS_KEY": HOST_SECRET}
    holder = {"process": EmulatorProcess(data, env=env).start()}
    yield holder
    holder["process"].stop()


def sagemaker(served):
    return served["process"].client("sagemaker")


def container_of(name: str):
    return docker.from_env().containers.get(f"smemu-notebook-instance-{name.lower()}")


def signed_in(sm, name: str) -> tuple[requests.Session, str]:
    """A browser's session after opening the presigned URL, and JupyterLab's base URL."""
    url = sm.create_presigned_notebook_instance_url(NotebookInstanceName=name)["AuthorizedUrl"]
    browser = requests.Session()
    page = browser.get(url, timeout=30)
    assert page.status_code == 200 and "JupyterLab" in page.text
    return browser, url.split("/lab?")[0]


def put(browser: requests.Session, base: str, path: str, model: dict) -> None:
    """Upload through Jupyter's contents API, as JupyterLab's upload does."""
    answer = browser.put(f"{base}/api/contents/{path}", json=model, headers={"X-XSRFToken": browser.cookies["_xsrf"]})
    assert answer.status_code in (200, 201), answer.text


def read(browser: requests.Session, base: str, path: str) -> str:
    answer = browser.get(f"{base}/api/contents/{path}", params={"content": 1, "format": "text", "type": "file"})
    assert answer.status_code == 200, answer.text
    return answer.json()["content"]


def notebook(*cells: str) -> dict:
    return {"cells": [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": c}
                      for c in cells],
            "metadata": {"kernelspec": {"name": "conda_python3", "display_name": "conda_python3", "language": "python"}},
            "nbformat": 4, "nbformat_minor": 4}


def execute(container, path: str, timeout: int = 600, user: str = "ec2-user", home: str = HOME) -> list[str]:
    """Run a notebook of the app headless in its container (nbclient, with the kernels' environment)
    and answer what each cell printed."""
    folder, file = path.rsplit("/", 1) if "/" in path else (".", path)
    code, output = container.exec_run(
        ["bash", "-lc", f"cd {home}/{folder} && timeout {timeout} jupyter execute --inplace {file}"], user=user)
    assert code == 0, output.decode()[-3000:]
    _, raw = container.exec_run(["cat", f"{home}/{path}"])
    cells = json.loads(raw)["cells"]
    return ["".join("".join(o["text"]) for o in c["outputs"] if o.get("name") == "stdout")  # text: lines or one string
            for c in cells if c["cell_type"] == "code"]


def encoded(text: str) -> list[dict]:
    return [{"Content": base64.b64encode(text.encode()).decode()}]


@pytest.fixture(scope="module")
def instance(served):
    """An InService notebook instance with a lifecycle configuration; deleted at the end."""
    sm = sagemaker(served)
    name, config = f"nb-{uuid.uuid4().hex[:8]}", f"lcc-{uuid.uuid4().hex[:8]}"
    sm.create_notebook_instance_lifecycle_config(
        NotebookInstanceLifecycleConfigName=config,
        OnCreate=encoded(f"#!/bin/bash\nset -e\necho \"OnCreate as $(whoami)\"\necho made > {HOME}/made-on-create\n"),
        OnStart=encoded("echo \"OnStart PATH=$PATH\"\n"))
    sm.create_notebook_instance(NotebookInstanceName=name, InstanceType="ml.t3.medium", RoleArn=ROLE,
                                LifecycleConfigName=config)
    sm.get_waiter("notebook_instance_in_service").wait(NotebookInstanceName=name, WaiterConfig=WAIT)
    yield name
    sm = sagemaker(served)
    if sm.describe_notebook_instance(NotebookInstanceName=name)["NotebookInstanceStatus"] == "InService":
        sm.stop_notebook_instance(NotebookInstanceName=name)
        sm.get_waiter("notebook_instance_stopped").wait(NotebookInstanceName=name, WaiterConfig=WAIT)
    sm.delete_notebook_instance(NotebookInstanceName=name)
    sm.get_waiter("notebook_instance_deleted").wait(NotebookInstanceName=name, WaiterConfig=WAIT)


def test_lifecycle_scripts_run_as_root_and_log_to_cloudwatch(served, instance):
    logs = served["process"].client("logs")
    assert log_messages(logs, GROUP, f"{instance}/LifecycleConfigOnCreate") == ["OnCreate as root"]
    assert log_messages(logs, GROUP, f"{instance}/LifecycleConfigOnStart") == ["OnStart PATH=/sbin:bin:/usr/sbin:/usr/bin"]
    assert any("Jupyter Server" in line for line in log_messages(logs, GROUP, f"{instance}/jupyter.log"))
    sm = sagemaker(served)
    browser, base = signed_in(sm, instance)
    assert read(browser, base, "made-on-create") == "made\n"


def test_jupyterlab_lets_in_the_presigned_url_only(served, instance):
    sm = sagemaker(served)
    browser, base = signed_in(sm, instance)
    assert browser.get(f"{base}/api/contents").status_code == 200
    assert requests.get(f"{base}/api/contents").status_code == 403  # no session
    assert requests.get(f"{base}/lab").status_code == 403  # to /login, which says how to sign in
    url = sm.create_presigned_notebook_instance_url(NotebookInstanceName=instance)["AuthorizedUrl"]
    claims, signature = url.split("authToken=")[1].split(".")
    forged = f"{base}/lab?authToken={claims}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}"
    assert requests.get(forged).status_code == 403
    assert requests.get(f"{base}/lab?token=anything").status_code == 403  # no Jupyter token either
    foreign = browser.get(f"{base}/api/contents", headers={"Origin": "http://evil.example"})
    assert foreign.status_code in (403, 404)  # Jupyter refuses cross-origin API calls
    assert browser.get(f"{base}/api/contents", headers={"Host": "evil.example"}).status_code == 403  # rebinding

    attrs = container_of(instance).attrs
    assert [(m["Type"], m["Destination"]) for m in attrs["Mounts"]] == [("volume", HOME)]  # no socket, no bind
    assert [b["HostIp"] for b in attrs["HostConfig"]["PortBindings"]["8888/tcp"]] == ["127.0.0.1"]
    assert not any(HOST_SECRET in variable for variable in attrs["Config"]["Env"] or [])
    code, _ = container_of(instance).exec_run(["test", "-e", "/var/run/docker.sock"])
    assert code == 1


def test_cells_reach_the_emulator_with_the_instance_s_role(served, instance):
    sm = sagemaker(served)
    browser, base = signed_in(sm, instance)
    put(browser, base, "probe.ipynb", {"type": "notebook", "format": "json", "content": notebook(
        "import boto3, sagemaker\nprint(sagemaker.get_execution_role())",
        f"print(boto3.client('sagemaker').describe_notebook_instance(NotebookInstanceName='{instance}')"
        "['NotebookInstanceStatus'])",
        "print(sagemaker.Session().default_bucket())",
        "import os\nprint(boto3.Session().get_credentials().access_key, os.environ.get('AWS_SECRET_ACCESS_KEY'))")})
    printed = execute(container_of(instance), "probe.ipynb", timeout=120)
    role, status, bucket, credentials = (p.strip().splitlines()[-1] for p in printed)  # after the SDK's config lines
    assert (role, status) == (ROLE, "InService")  # the role from the instance's metadata
    assert bucket == "sagemaker-us-east-1-123456789012"
    assert credentials == "emulator emulator"


def test_the_home_survives_stop_start_and_a_restart_and_goes_with_the_instance(served, instance):
    sm = sagemaker(served)
    browser, base = signed_in(sm, instance)
    put(browser, base, "kept.txt", {"type": "file", "format": "text", "content": "my work"})
    url = sm.describe_notebook_instance(NotebookInstanceName=instance)["Url"]
    volume = container_of(instance).attrs["Mounts"][0]["Name"]

    sm.stop_notebook_instance(NotebookInstanceName=instance)
    sm.get_waiter("notebook_instance_stopped").wait(NotebookInstanceName=instance, WaiterConfig=WAIT)
    with pytest.raises(docker.errors.NotFound):
        container_of(instance)
    sm.start_notebook_instance(NotebookInstanceName=instance)
    sm.get_waiter("notebook_instance_in_service").wait(NotebookInstanceName=instance, WaiterConfig=WAIT)
    assert read(browser, base, "kept.txt") == "my work"  # the old session's cookie still signs in
    assert sm.describe_notebook_instance(NotebookInstanceName=instance)["Url"] == url

    process = served["process"]
    process.stop()
    served["process"] = EmulatorProcess(process.data_dir, port=process.port, env=process.env).start()
    sm = sagemaker(served)
    assert sm.describe_notebook_instance(NotebookInstanceName=instance)["NotebookInstanceStatus"] in ("Pending",
                                                                                                     "InService")
    sm.get_waiter("notebook_instance_in_service").wait(NotebookInstanceName=instance, WaiterConfig=WAIT)
    again, base = signed_in(sm, instance)
    assert read(again, base, "kept.txt") == "my work"
    logs = served["process"].client("logs")
    assert log_messages(logs, GROUP, f"{instance}/LifecycleConfigOnStart").count(
        "OnStart PATH=/sbin:bin:/usr/sbin:/usr/bin") == 3  # create, start, the restart's start
    assert volume in [v.name for v in docker.from_env().volumes.list()]


def test_a_failing_lifecycle_script_fails_the_instance(served):
    sm = sagemaker(served)
    name, config = f"nb-{uuid.uuid4().hex[:8]}", f"lcc-{uuid.uuid4().hex[:8]}"
    sm.create_notebook_instance_lifecycle_config(NotebookInstanceLifecycleConfigName=config,
                                                 OnStart=encoded("echo about to fail\nexit 3\n"))
    sm.create_notebook_instance(NotebookInstanceName=name, InstanceType="ml.t3.medium", RoleArn=ROLE,
                                LifecycleConfigName=config)
    desc = wait_until(lambda: (d := sm.describe_notebook_instance(NotebookInstanceName=name))
                      ["NotebookInstanceStatus"] != "Pending" and d, 120, "the instance to fail")
    assert desc["NotebookInstanceStatus"] == "Failed"
    assert "failed: its OnStart script exited with status 3" in desc["FailureReason"]
    volume = f"smemu-notebook-{name}"
    sm.delete_notebook_instance(NotebookInstanceName=name)
    sm.get_waiter("notebook_instance_deleted").wait(NotebookInstanceName=name, WaiterConfig=WAIT)
    assert not [v for v in docker.from_env().volumes.list() if v.name.startswith(volume)]


def test_the_mnist_notebook_runs_headless_in_the_notebook_container(served, instance):
    """examples/notebooks/mnist.ipynb, uploaded as a user uploads it (beside the repository's
    files it uses), run by nbclient in the container: train, deploy, predict, clean up."""
    sm = sagemaker(served)
    browser, base = signed_in(sm, instance)
    for folder in ("examples", "examples/notebooks", "examples/mnist", "scripts"):
        put(browser, base, folder, {"type": "directory"})
    for path in ("examples/mnist/train.py", "scripts/make_mnist_data.py"):
        put(browser, base, path, {"type": "file", "format": "text", "content": (REPO / path).read_text()})
    put(browser, base, "examples/notebooks/mnist.ipynb",
        {"type": "notebook", "format": "json", "content": json.loads((REPO / "examples/notebooks/mnist.ipynb").read_text())})
    started = time.monotonic()
    outputs = execute(container_of(instance), "examples/notebooks/mnist.ipynb")
    print(f"the MNIST notebook ran in {time.monotonic() - started:.1f} s")
    setup, data, training, prediction, _, cleanup = outputs
    assert f"role {ROLE}" in setup and "bucket sagemaker-us-east-1-123456789012" in setup
    assert "s3://sagemaker-us-east-1-123456789012/notebooks/mnist/data" in data
    assert "Completed, test accuracy" in training
    right, total = prediction.split(" held-out digits right")[0].split("\n")[-1].split("/")
    assert int(total) == 359 and int(right) > 0.6 * 359
    endpoint = cleanup.split("deleted ")[1].strip()
    assert endpoint not in [e["EndpointName"] for e in sm.list_endpoints()["Endpoints"]]


def test_the_image_is_the_notebook_image(instance):
    assert container_of(instance).image.tags == [NOTEBOOK_IMAGE]


def test_a_studio_space_opens_its_jupyterlab_with_the_profile_s_role(served):
    sm = sagemaker(served)
    domains = sm.list_domains()["Domains"]
    domain = domains[0]["DomainId"] if domains else sm.create_domain(
        DomainName="local", AuthMode="IAM", DefaultUserSettings={"ExecutionRole": ROLE},
        SubnetIds=["subnet-12345678"], VpcId="vpc-12345678")["DomainId"]
    user, space = f"user-{uuid.uuid4().hex[:6]}", f"space-{uuid.uuid4().hex[:6]}"
    profile_role = "arn:aws:iam::123456789012:role/ProfileRole"
    sm.create_user_profile(DomainId=domain, UserProfileName=user, UserSettings={"ExecutionRole": profile_role})
    sm.create_space(DomainId=domain, SpaceName=space, SpaceSettings={"AppType": "JupyterLab"},
                    OwnershipSettings={"OwnerUserProfileName": user}, SpaceSharingSettings={"SharingType": "Private"})
    app = {"DomainId": domain, "SpaceName": space, "AppType": "JupyterLab", "AppName": "default"}
    sm.create_app(**app)
    status = wait_until(lambda: (s := sm.describe_app(**app)["Status"]) != "Pending" and s, 300, "the app to start")
    assert status == "InService", sm.describe_app(**app).get("FailureReason")
    url = sm.create_presigned_domain_url(DomainId=domain, UserProfileName=user, SpaceName=space)["AuthorizedUrl"]
    browser = requests.Session()
    assert browser.get(url, timeout=30).status_code == 200
    base = url.split("/lab?")[0]
    assert base.endswith("/jupyterlab/default")
    put(browser, base, "probe.ipynb", {"type": "notebook", "format": "json", "content": notebook(
        "import sagemaker\nprint(sagemaker.get_execution_role())")})
    container = docker.from_env().containers.get(f"smemu-studio-app-{domain}-{space}-jupyterlab-default")
    printed = execute(container, "probe.ipynb", 120, "sagemaker-user", "/home/sagemaker-user")
    assert printed[0].strip().splitlines()[-1] == profile_role  # asked of DescribeUserProfile
    sm.delete_app(**app)
    wait_until(lambda: sm.describe_app(**app)["Status"] == "Deleted", 120, "the app to be Deleted")
    sm.delete_space(DomainId=domain, SpaceName=space)
    wait_until(lambda: not sm.list_spaces(DomainIdEquals=domain, SpaceNameContains=space)["Spaces"], 60, "the space to go")
    sm.delete_user_profile(DomainId=domain, UserProfileName=user)
