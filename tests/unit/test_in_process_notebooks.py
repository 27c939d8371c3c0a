"""Notebook instances and Studio apps through boto3 against the in-process emulator, on the fake
runner: the life cycle and its refusals, lifecycle scripts (real bash scripts, run once or at every
start, their output in CloudWatch Logs, their failure and time limit), the volume kept across Stop
and Start and deleted with the instance, what the container is given (the kernels' environment,
the metadata the SDK reads for the role, the presigned URL's token), Studio's domain, profiles,
spaces and apps. The fake notebook image is `supervisor` below: the protocol of the real image's
first process (containers/notebook/sagemaker_emulator_notebook/supervisor.py) around real bash."""

import base64
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

import pytest
from botocore.exceptions import ClientError

from emulator.execution.instances import lookup
from emulator.execution.process_runner import ProcessRunner
from emulator.execution.runner import AppSpec, StartError
from emulator.sagemaker.images import NOTEBOOK_IMAGE
from fake_runner import AppProgram, FakeRunner
from helpers import REPO, ROLE, held_to_output_shapes, log_messages, wait_until
from in_process import InProcessEmulator

sys.path.insert(0, str(REPO / "containers" / "notebook"))
from sagemaker_emulator_notebook import signin  # noqa: E402  (the image's own check of the tokens)

APP = "/opt/sagemaker-emulator/app"
GROUP = "/aws/sagemaker/NotebookInstances"
FAST_WAITER = {"Delay": 0.1, "MaxAttempts": 200}


def event(**fields) -> str:
    return f"[sagemaker-emulator] {json.dumps(fields)}"


def supervisor(app) -> int:
    """The notebook image's first process as the fake runner runs it: each lifecycle script in
    bash with the app's environment ($HOME_DIR: where the volume is here), the steps reported,
    then 'JupyterLab' until stopped (or exit 3 at once, when the volume holds a file `crash`)."""
    config = json.loads(app.path(f"{APP}/app.json").read_text())
    volume = app.path(config["root_dir"])
    env = {**config["environment"], "PATH": os.environ["PATH"], "HOME_DIR": str(volume)}
    for hook in config["hooks"]:
        app.print(event(hook=hook["name"], state="started"))
        script = subprocess.Popen(["bash", str(app.path(f"{APP}/{hook['script']}"))], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        threading.Thread(target=lambda: app.terminated.wait() and script.kill(), daemon=True).start()
        for line in script.stdout:
            app.print(f"[{hook['stream']}] {line.decode().rstrip()}")
        code = script.wait()
        app.print(event(hook=hook["name"], state="exited", code=code))
        if code:
            return 1
    if (volume / "crash").exists():
        app.print("[jupyter.log] JupyterLab: cannot start")
        return 3
    app.print("[jupyter.log] JupyterLab is running")
    app.print(event(state="ready"))
    app.terminated.wait()
    return 143


@pytest.fixture(scope="module", autouse=True)
def notebook_image(fake_runner):
    fake_runner.images[NOTEBOOK_IMAGE] = AppProgram(supervisor)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def script(text: str) -> list[dict]:
    return [{"Content": base64.b64encode(text.encode()).decode()}]


def status(sm, name: str) -> str:
    return sm.describe_notebook_instance(NotebookInstanceName=name)["NotebookInstanceStatus"]


def settled(sm, name: str, timeout: float = 20) -> dict:
    return wait_until(lambda: (d := sm.describe_notebook_instance(NotebookInstanceName=name))
                      ["NotebookInstanceStatus"] in ("InService", "Failed", "Stopped") and d, timeout,
                      f"{name} to settle")


def error_of(call, **kwargs) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def app_of(fake_runner, name: str):
    return next(a for a in fake_runner.apps if a.spec.labels.get("owner") == name.lower())


@pytest.fixture
def instances(sm):
    """Creates notebook instances; each is stopped and deleted at the test's end."""
    made = []

    def create(config: str | None = None, **extra) -> str:
        name = unique("nb")
        sm.create_notebook_instance(NotebookInstanceName=name, InstanceType="ml.t3.medium", RoleArn=ROLE,
                                    **({"LifecycleConfigName": config} if config else {}), **extra)
        made.append(name)
        return name
    yield create
    for name in made:
        try:
            if settled(sm, name)["NotebookInstanceStatus"] == "InService":
                sm.stop_notebook_instance(NotebookInstanceName=name)
                sm.get_waiter("notebook_instance_stopped").wait(NotebookInstanceName=name, WaiterConfig=FAST_WAITER)
            sm.delete_notebook_instance(NotebookInstanceName=name)
        except ClientError:
            pass  # deleted by the test


def test_an_instance_goes_pending_in_service_stopped_and_deleted_with_its_volume(sm, fake_runner, instances):
    name = instances()
    first = sm.describe_notebook_instance(NotebookInstanceName=name)
    assert first["NotebookInstanceStatus"] == "Pending"
    sm.get_waiter("notebook_instance_in_service").wait(NotebookInstanceName=name, WaiterConfig=FAST_WAITER)
    desc = sm.describe_notebook_instance(NotebookInstanceName=name)
    assert desc["NotebookInstanceArn"] == f"arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/{name}"
    assert (desc["InstanceType"], desc["RoleArn"], desc["VolumeSizeInGB"], desc["RootAccess"],
            desc["DirectInternetAccess"]) == ("ml.t3.medium", ROLE, 5, "Enabled", "Enabled")
    app = app_of(fake_runner, name)
    assert desc["Url"] == f"127.0.0.1:{app.host_port}"
    assert app.spec.volume_path == "/home/ec2-user/SageMaker" and app.spec.instance == lookup("ml.t3.medium")
    listed = sm.list_notebook_instances(NameContains=name, StatusEquals="InService")["NotebookInstances"]
    assert [(i["NotebookInstanceName"], i["Url"]) for i in listed] == [(name, desc["Url"])]
    assert "Emulator" not in desc  # the emulator's own members never leave it

    code, message = error_of(sm.delete_notebook_instance, NotebookInstanceName=name)
    assert (code, message) == ("ValidationException", f"Status (InService) not in ([Stopped, Failed]). Unable to "
                               f"transition to (Deleting) for Notebook Instance ({desc['NotebookInstanceArn']}).")
    assert error_of(sm.start_notebook_instance, NotebookInstanceName=name)[1].startswith(
        "Status (InService) not in ([Stopped, Failed]). Unable to transition to (Pending)")
    (app.volume / "work.ipynb").write_text("kept")

    sm.stop_notebook_instance(NotebookInstanceName=name)
    assert status(sm, name) in ("Stopping", "Stopped")
    sm.get_waiter("notebook_instance_stopped").wait(NotebookInstanceName=name, WaiterConfig=FAST_WAITER)
    assert app.exit_code() is not None and app not in fake_runner.apps
    assert error_of(sm.stop_notebook_instance, NotebookInstanceName=name)[1].startswith(
        "Status (Stopped) not in ([InService]). Unable to transition to (Stopping)")
    sm.update_notebook_instance(NotebookInstanceName=name, InstanceType="ml.m5.xlarge", VolumeSizeInGB=10)

    sm.start_notebook_instance(NotebookInstanceName=name)
    sm.get_waiter("notebook_instance_in_service").wait(NotebookInstanceName=name, WaiterConfig=FAST_WAITER)
    again = app_of(fake_runner, name)
    assert again is not app and again.root != app.root  # a fresh container ...
    assert (again.volume / "work.ipynb").read_text() == "kept"  # ... on the same volume
    assert again.host_port == app.host_port  # the URL stays while its port is free
    assert again.spec.instance == lookup("ml.m5.xlarge")
    assert sm.describe_notebook_instance(NotebookInstanceName=name)["VolumeSizeInGB"] == 10

    sm.stop_notebook_instance(NotebookInstanceName=name)
    sm.get_waiter("notebook_instance_stopped").wait(NotebookInstanceName=name, WaiterConfig=FAST_WAITER)
    sm.delete_notebook_instance(NotebookInstanceName=name)
    sm.get_waiter("notebook_instance_deleted").wait(NotebookInstanceName=name, WaiterConfig=FAST_WAITER)
    assert error_of(sm.describe_notebook_instance, NotebookInstanceName=name) == ("ValidationException", "RecordNotFound")
    assert not again.volume.exists()


def test_lifecycle_scripts_run_as_sagemaker_runs_them_and_log_to_cloudwatch(sm, logs, fake_runner, instances):
    config = unique("lcc")
    sm.create_notebook_instance_lifecycle_config(
        NotebookInstanceLifecycleConfigName=config,
        OnCreate=script('echo "creating on $AWS_DEFAULT_REGION"; echo once >> "$HOME_DIR/created"\n'),
        OnStart=script('echo starting; echo again >> "$HOME_DIR/started"\n'))
    desc = sm.describe_notebook_instance_lifecycle_config(NotebookInstanceLifecycleConfigName=config)
    assert desc["NotebookInstanceLifecycleConfigArn"].endswith(f":notebook-instance-lifecycle-config/{config}")
    assert base64.b64decode(desc["OnStart"][0]["Content"]) == b'echo starting; echo again >> "$HOME_DIR/started"\n'
    name = instances(config)
    settled(sm, name)
    volume = app_of(fake_runner, name).volume
    assert ((volume / "created").read_text(), (volume / "started").read_text()) == ("once\n", "again\n")
    sm.stop_notebook_instance(NotebookInstanceName=name)
    sm.get_waiter("notebook_instance_stopped").wait(NotebookInstanceName=name, WaiterConfig=FAST_WAITER)
    sm.start_notebook_instance(NotebookInstanceName=name)
    assert settled(sm, name)["NotebookInstanceStatus"] == "InService"
    assert ((volume / "created").read_text(), (volume / "started").read_text()) == ("once\n", "again\nagain\n")
    assert log_messages(logs, GROUP, f"{name}/LifecycleConfigOnCreate") == ["creating on us-east-1"]
    assert log_messages(logs, GROUP, f"{name}/LifecycleConfigOnStart") == ["starting", "starting"]
    assert "JupyterLab is running" in log_messages(logs, GROUP, f"{name}/jupyter.log")
    assert [c["NotebookInstanceLifecycleConfigName"] for c in sm.list_notebook_instance_lifecycle_configs(
        NameContains=config)["NotebookInstanceLifecycleConfigs"]] == [config]


def test_a_failing_or_slow_script_fails_the_instance_with_aws_reason(sm, instances):
    failing, slow = unique("fails"), unique("slow")
    sm.create_notebook_instance_lifecycle_config(NotebookInstanceLifecycleConfigName=failing,
                                                 OnStart=script("echo trying; exit 7\n"))
    sm.create_notebook_instance_lifecycle_config(NotebookInstanceLifecycleConfigName=slow,
                                                 OnCreate=script("sleep 30\n"))
    broken, stuck = instances(failing), instances(slow)
    desc = settled(sm, broken)
    arns = (sm.describe_notebook_instance_lifecycle_config(NotebookInstanceLifecycleConfigName=failing)
            ["NotebookInstanceLifecycleConfigArn"], desc["NotebookInstanceArn"])
    assert desc["NotebookInstanceStatus"] == "Failed"
    assert desc["FailureReason"].startswith(f"Notebook Instance Lifecycle Config '{arns[0]}' for Notebook Instance "
                                            f"'{arns[1]}' failed: its OnStart script exited with status 7.")
    late = settled(sm, stuck)
    assert late["NotebookInstanceStatus"] == "Failed"
    assert "took longer than 2 seconds. Please check your CloudWatch logs" in late["FailureReason"]  # 5 minutes on AWS
    # A failed instance starts again once its lifecycle configuration no longer fails it.
    sm.update_notebook_instance(NotebookInstanceName=broken, DisassociateLifecycleConfig=True, VolumeSizeInGB=10)
    assert error_of(sm.update_notebook_instance, NotebookInstanceName=broken, VolumeSizeInGB=8)[1] == (
        f"The volume size of a notebook instance cannot be decreased: {broken} has 10 GB, 8 GB asked")
    sm.start_notebook_instance(NotebookInstanceName=broken)
    back = settled(sm, broken)
    assert back["NotebookInstanceStatus"] == "InService" and "FailureReason" not in back
    assert "NotebookInstanceLifecycleConfigName" not in back


def test_what_the_container_is_given(sm, in_process, fake_runner, instances):
    name = instances()
    desc = settled(sm, name)
    app = app_of(fake_runner, name)
    config = json.loads(app.path(f"{APP}/app.json").read_text())
    assert (config["user"], config["root_dir"], config["root_access"]) == ("ec2-user", "/home/ec2-user/SageMaker", True)
    env = config["environment"]
    assert env["AWS_ENDPOINT_URL"] == f"http://127.0.0.1:{in_process.port}"  # the fake runner's host: this one
    assert (env["AWS_DEFAULT_REGION"], env["AWS_ACCESS_KEY_ID"]) == ("us-east-1", "emulator")
    assert "DefaultS3Bucket: sagemaker-us-east-1-123456789012" in app.path(env["SAGEMAKER_USER_CONFIG_OVERRIDE"]).read_text()
    assert env["SAGEMAKER_EMULATOR_FAST_PATH"] == env["AWS_ENDPOINT_URL"]
    assert app.path(f"{env['PYTHONPATH']}/sagemaker_emulator_fast_path.py").is_file()
    # What the SDK's get_execution_role reads, then asks DescribeNotebookInstance about.
    metadata = json.loads(app.path("/opt/ml/metadata/resource-metadata.json").read_text())
    assert metadata == {"ResourceArn": desc["NotebookInstanceArn"], "ResourceName": name}
    assert app.path("/etc/opt/ml/sagemaker-notebook-instance-version.txt").read_text() == "notebook-al2-v3"

    url = sm.create_presigned_notebook_instance_url(NotebookInstanceName=name,
                                                    SessionExpirationDurationInSeconds=1800)["AuthorizedUrl"]
    parsed = urllib.parse.urlsplit(url)
    assert (parsed.scheme, parsed.netloc, parsed.path) == ("http", desc["Url"], "/lab")
    token = urllib.parse.parse_qs(parsed.query)["authToken"][0]
    key = app.path(f"{APP}/signin.key").read_bytes()
    assert signin.verify(key, token, name, time.time()) == 1800
    assert signin.verify(key, token, name, time.time() + 301) is None  # a URL works for 5 minutes
    assert signin.verify(key, token, "another", time.time()) is None
    assert signin.verify(b"another key", token, name, time.time()) is None
    default = sm.create_presigned_notebook_instance_url(NotebookInstanceName=name)["AuthorizedUrl"]
    assert signin.verify(key, default.split("authToken=")[1], name, time.time()) == 43200


def test_a_container_that_dies_fails_the_instance(sm, fake_runner, instances):
    name = instances()
    settled(sm, name)
    app = app_of(fake_runner, name)
    (app.volume / "crash").write_text("")
    sm.stop_notebook_instance(NotebookInstanceName=name)
    sm.get_waiter("notebook_instance_stopped").wait(NotebookInstanceName=name, WaiterConfig=FAST_WAITER)
    sm.start_notebook_instance(NotebookInstanceName=name)
    desc = settled(sm, name)
    assert desc["NotebookInstanceStatus"] == "Failed"
    assert desc["FailureReason"] == ("InternalServerError: the notebook instance's container exited (code 3) before "
                                     "JupyterLab answered: JupyterLab: cannot start")


def test_bad_requests_answer_as_aws_does(sm, instances):
    missing = unique("nope")
    code, message = error_of(sm.create_notebook_instance, NotebookInstanceName=unique("nb"), InstanceType="ml.t3.medium",
                             RoleArn=ROLE, LifecycleConfigName=missing)
    assert (code, message) == ("ValidationException", "Unable to describe Notebook Instance Lifecycle Config 'arn:aws:"
                               f"sagemaker:us-east-1:123456789012:notebook-instance-lifecycle-config/{missing}'. "
                               "(Details: Notebook Instance Lifecycle Config does not exist.)")
    assert error_of(sm.create_notebook_instance_lifecycle_config, NotebookInstanceLifecycleConfigName=unique("lcc"),
                    OnStart=[{"Content": "not base64!"}])[1].endswith("is not base64-encoded: a lifecycle script's "
                                                                    "Content is the script in base64")
    assert error_of(sm.describe_notebook_instance, NotebookInstanceName=missing) == ("ValidationException", "RecordNotFound")
    assert error_of(sm.stop_notebook_instance, NotebookInstanceName=missing) == ("ValidationException", "RecordNotFound")
    assert error_of(sm.delete_notebook_instance_lifecycle_config,
                    NotebookInstanceLifecycleConfigName=missing)[1].startswith("Unable to delete Notebook Instance")
    name = instances()
    code, message = error_of(sm.create_notebook_instance, NotebookInstanceName=name.upper(), InstanceType="ml.t3.medium",
                             RoleArn=ROLE)
    assert (code, message) == ("ValidationException", "Cannot create a duplicate Notebook Instance (arn:aws:sagemaker:"
                               f"us-east-1:123456789012:notebook-instance/{name})")
    assert error_of(sm.create_notebook_instance, NotebookInstanceName=unique("nb"), InstanceType="ml.t1.tiny",
                    RoleArn=ROLE)[0] == "ValidationException"


def test_the_process_runner_refuses_app_containers():
    spec = AppSpec(name="x", image=NOTEBOOK_IMAGE, environment={}, volume="v", volume_path="/home", port=8888,
                   instance=lookup("ml.t3.medium"))
    with pytest.raises(StartError, match="need a Docker engine; the emulator is running with the process runner"):
        ProcessRunner().app_container(spec)


# -- Studio ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def domain(sm):
    """The one local domain (made once: a second is refused)."""
    domains = sm.list_domains()["Domains"]
    if domains:
        return domains[0]["DomainId"]
    answer = sm.create_domain(DomainName="local", AuthMode="IAM", DefaultUserSettings={"ExecutionRole": ROLE},
                              SubnetIds=["subnet-12345678"], VpcId="vpc-12345678")
    return answer["DomainId"]


def in_service_app(sm, domain: str, space: str, name: str = "default") -> dict:
    return wait_until(lambda: (d := sm.describe_app(DomainId=domain, SpaceName=space, AppType="JupyterLab",
                                                   AppName=name))["Status"] in ("InService", "Failed") and d,
                      20, f"the app of {space}")


def test_a_jupyterlab_space_runs_on_its_own_storage(sm, fake_runner, domain, in_process):
    user, space = unique("user"), unique("space")
    desc = sm.describe_domain(DomainId=domain)
    assert (desc["Status"], desc["AuthMode"], desc["Url"]) == ("InService", "IAM", f"{in_process.url}/#/notebooks")
    assert error_of(sm.create_domain, DomainName="second", AuthMode="IAM", DefaultUserSettings={"ExecutionRole": ROLE},
                    SubnetIds=["subnet-1"], VpcId="vpc-1")[0] == "ResourceLimitExceeded"
    sm.create_user_profile(DomainId=domain, UserProfileName=user,
                           UserSettings={"ExecutionRole": "arn:aws:iam::123456789012:role/Mine"})
    sm.create_space(DomainId=domain, SpaceName=space, SpaceSettings={"AppType": "JupyterLab"},
                    OwnershipSettings={"OwnerUserProfileName": user}, SpaceSharingSettings={"SharingType": "Private"})
    assert sm.describe_space(DomainId=domain, SpaceName=space)["Status"] == "InService"
    assert error_of(sm.create_app, DomainId=domain, SpaceName=space, AppType="CodeEditor", AppName="default")[1] == (
        "AppType CodeEditor is not emulated (no open code editor is available from a package registry here): use "
        "JupyterLab")
    arn = sm.create_app(DomainId=domain, SpaceName=space, AppType="JupyterLab", AppName="default")["AppArn"]
    assert arn == f"arn:aws:sagemaker:us-east-1:123456789012:app/{domain}/{space}/jupyterlab/default"
    app_doc = in_service_app(sm, domain, space)
    assert app_doc["Status"] == "InService" and app_doc["ResourceSpec"]["InstanceType"] == "ml.t3.medium"
    assert error_of(sm.create_app, DomainId=domain, SpaceName=space, AppType="JupyterLab", AppName="second")[0] == \
        "ResourceInUse"
    app = app_of(fake_runner, f"{domain}-{space}-jupyterlab-default")
    assert (app.spec.volume_path, json.loads(app.path(f"{APP}/app.json").read_text())["base_url"]) == (
        "/home/sagemaker-user", "/jupyterlab/default/")
    metadata = json.loads(app.path("/opt/ml/metadata/resource-metadata.json").read_text())
    assert metadata == {"AppType": "JupyterLab", "DomainId": domain, "SpaceName": space, "UserProfileName": user,
                        "ResourceArn": arn, "ResourceName": "default"}
    url = sm.create_presigned_domain_url(DomainId=domain, UserProfileName=user, SpaceName=space,
                                         ExpiresInSeconds=60)["AuthorizedUrl"]
    assert url.startswith(f"http://127.0.0.1:{app.host_port}/jupyterlab/default/lab?authToken=")
    key = app.path(f"{APP}/signin.key").read_bytes()
    assert signin.verify(key, url.split("authToken=")[1], f"{domain}/{space}/JupyterLab/default", time.time()) == 43200
    assert signin.verify(key, url.split("authToken=")[1], f"{domain}/{space}/JupyterLab/default", time.time() + 61) is None
    assert sm.create_presigned_domain_url(DomainId=domain, UserProfileName=user)["AuthorizedUrl"] == desc["Url"]
    (app.volume / "notes.txt").write_text("mine")

    sm.delete_app(DomainId=domain, SpaceName=space, AppType="JupyterLab", AppName="default")
    wait_until(lambda: sm.describe_app(DomainId=domain, SpaceName=space, AppType="JupyterLab",
                                       AppName="default")["Status"] == "Deleted", 10, "the app to be Deleted")
    assert [a["Status"] for a in sm.list_apps(DomainIdEquals=domain, SpaceNameEquals=space)["Apps"]] == ["Deleted"]
    sm.create_app(DomainId=domain, SpaceName=space, AppType="JupyterLab", AppName="default")
    in_service_app(sm, domain, space)
    assert (app_of(fake_runner, f"{domain}-{space}-jupyterlab-default").volume / "notes.txt").read_text() == "mine"
    assert error_of(sm.delete_space, DomainId=domain, SpaceName=space)[0] == "ResourceInUse"
    assert error_of(sm.delete_user_profile, DomainId=domain, UserProfileName=user)[0] == "ResourceInUse"
    sm.delete_app(DomainId=domain, SpaceName=space, AppType="JupyterLab", AppName="default")
    wait_until(lambda: sm.describe_app(DomainId=domain, SpaceName=space, AppType="JupyterLab",
                                       AppName="default")["Status"] == "Deleted", 10, "the app to be Deleted")
    sm.delete_space(DomainId=domain, SpaceName=space)
    wait_until(lambda: not sm.list_spaces(DomainIdEquals=domain, SpaceNameContains=space)["Spaces"], 10, "the space to go")
    assert not app.volume.exists()
    sm.delete_user_profile(DomainId=domain, UserProfileName=user)
    assert error_of(sm.describe_user_profile, DomainId=domain, UserProfileName=user)[0] == "ResourceNotFound"


def test_studio_refusals(sm, domain):
    assert error_of(sm.describe_domain, DomainId="d-000000000000") == ("ResourceNotFound", "Domain d-000000000000 not found.")
    assert error_of(sm.create_user_profile, DomainId="d-000000000000", UserProfileName="u")[0] == "ResourceNotFound"
    user = unique("user")
    sm.create_user_profile(DomainId=domain, UserProfileName=user)
    assert error_of(sm.create_user_profile, DomainId=domain, UserProfileName=user)[0] == "ResourceInUse"
    assert error_of(sm.create_space, DomainId=domain, SpaceName=unique("s"),
                    OwnershipSettings={"OwnerUserProfileName": unique("nobody")})[0] == "ResourceNotFound"
    assert error_of(sm.create_app, DomainId=domain, UserProfileName=user, AppType="JupyterLab",
                    AppName="default")[1].startswith("A JupyterLab app runs in a space: give SpaceName")
    assert error_of(sm.create_app, DomainId=domain, SpaceName=unique("nospace"), AppType="JupyterLab",
                    AppName="default")[0] == "ResourceNotFound"
    assert error_of(sm.create_presigned_domain_url, DomainId=domain, UserProfileName=unique("nobody"))[0] == \
        "ResourceNotFound"
    assert error_of(sm.delete_domain, DomainId=domain)[0] == "ResourceInUse"
    sm.delete_user_profile(DomainId=domain, UserProfileName=user)


# -- after a restart ---------------------------------------------------------------------------

def test_an_instance_in_service_comes_back_after_a_restart_and_a_stopped_one_stays_stopped(tmp_path):
    runner = FakeRunner({NOTEBOOK_IMAGE: AppProgram(supervisor)})
    data = tmp_path / "data"
    config = "counts-starts"
    with InProcessEmulator(data, runner) as first:
        sm = held_to_output_shapes(first.client("sagemaker"))
        sm.create_notebook_instance_lifecycle_config(NotebookInstanceLifecycleConfigName=config,
                                                     OnStart=script('echo start >> "$HOME_DIR/starts"\n'))
        for name in ("serving", "resting"):
            sm.create_notebook_instance(NotebookInstanceName=name, InstanceType="ml.t3.medium", RoleArn=ROLE,
                                        LifecycleConfigName=config)
            sm.get_waiter("notebook_instance_in_service").wait(NotebookInstanceName=name, WaiterConfig=FAST_WAITER)
        sm.stop_notebook_instance(NotebookInstanceName="resting")
        sm.get_waiter("notebook_instance_stopped").wait(NotebookInstanceName="resting", WaiterConfig=FAST_WAITER)
        before = app_of(runner, "serving")
        url = sm.describe_notebook_instance(NotebookInstanceName="serving")["Url"]
    assert before.exit_code() is not None  # the emulator stopped it as it closed
    with InProcessEmulator(data, runner) as second:
        sm = held_to_output_shapes(second.client("sagemaker"))
        assert status(sm, "serving") in ("Pending", "InService")
        sm.get_waiter("notebook_instance_in_service").wait(NotebookInstanceName="serving", WaiterConfig=FAST_WAITER)
        after = app_of(runner, "serving")
        assert after.volume == before.volume and (after.volume / "starts").read_text() == "start\nstart\n"
        assert sm.describe_notebook_instance(NotebookInstanceName="serving")["Url"] == url
        assert status(sm, "resting") == "Stopped"
