"""The notebook container's first process: the platform's part of a notebook instance's start.

The emulator copies /opt/sagemaker-emulator/app in before the container starts (no shared
folders: the engine may be another machine's): app.json says who the user is, where the home
and JupyterLab's root are, the lifecycle scripts to run and the kernels' environment; signin.key
is the app's key. This process, as root:

1. runs each lifecycle script as SageMaker does: from a file /tmp/<hook>_<time><random>, as root,
   PATH=/sbin:bin:/usr/sbin:/usr/bin (AWS's documented value, odd `bin` and all), output and
   errors together; one that fails ends the start (the emulator times them: 5 minutes each);
2. gives the user sudo (RootAccess Enabled) or not, then starts JupyterLab as that user with the
   kernels' environment (the emulator's endpoint, region, credentials, the SDK's config file),
   which login shells get too (/etc/profile.d);
3. says when JupyterLab answers, and stays, passing SIGTERM on, until JupyterLab exits.

What it prints is read by the emulator line by line (emulator/sagemaker/notebooks/app_run.py):
`[<log stream>] text` goes to that CloudWatch Logs stream of the instance (LifecycleConfigOnCreate,
LifecycleConfigOnStart, jupyter.log) and `[sagemaker-emulator] {json}` reports a step.
"""

import datetime
import json
import os
import secrets
import shlex
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from . import signin

APP = Path("/opt/sagemaker-emulator/app")
JUPYTER_PORT = 8888
HOOK_PATH = "/sbin:bin:/usr/sbin:/usr/bin"
EVENT = "[sagemaker-emulator]"
_print_lock = threading.Lock()


def say(stream: str, line: str) -> None:
    with _print_lock:
        sys.stdout.write(f"[{stream}] {line}\n")
        sys.stdout.flush()


def event(**fields) -> None:
    with _print_lock:
        sys.stdout.write(f"{EVENT} {json.dumps(fields)}\n")
        sys.stdout.flush()


def relay(pipe, stream: str) -> None:
    for raw in pipe:
        say(stream, raw.decode("utf-8", errors="replace").rstrip("\r\n"))


def run_hook(hook: dict, environment: dict) -> int:
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d-%H-%M")
    script = Path(f"/tmp/{hook['name']}_{stamp}{secrets.token_hex(4)}")
    script.write_bytes((APP / hook["script"]).read_bytes())
    script.chmod(0o700)
    event(hook=hook["name"], state="started")
    # bash runs the file as a program (its #! line counts), or as a bash script when it has none.
    process = subprocess.Popen(["/bin/bash", "-c", str(script)], cwd="/", stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               env={**environment, "PATH": HOOK_PATH})
    relay(process.stdout, hook["stream"])
    code = process.wait()
    event(hook=hook["name"], state="exited", code=code)
    return code


def export_for_shells(environment: dict) -> None:
    """The kernels' environment, and the image's PATH (with the venv's python and jupyter), for
    login shells too: JupyterLab's terminals, `docker exec ... bash -l` (a headless `jupyter execute`),
    whose /etc/profile would set Debian's PATH."""
    Path("/etc/profile.d/sagemaker-emulator.sh").write_text(
        "".join(f"export {name}={shlex.quote(value)}\n" for name, value in environment.items()))


def grant_root(user: str, allowed: bool) -> None:
    sudoers = Path("/etc/sudoers.d/sagemaker-emulator")
    if allowed:
        sudoers.write_text(f"{user} ALL=(ALL) NOPASSWD:ALL\n")
        sudoers.chmod(0o440)
    else:
        sudoers.unlink(missing_ok=True)


def jupyter_command(app: dict, key_file: Path, secret_file: Path) -> list[str]:
    provider = "PresignedUrlIdentityProvider"
    return ["jupyter", "lab", "--no-browser", "--ip=0.0.0.0", f"--port={JUPYTER_PORT}",
            f"--ServerApp.root_dir={app['root_dir']}", f"--ServerApp.base_url={app['base_url']}",
            f"--ServerApp.allow_remote_access={app.get('allow_remote_access', False)}",
            f"--ServerApp.identity_provider_class=sagemaker_emulator_notebook.identity.{provider}",
            f"--{provider}.key_file={key_file}", f"--{provider}.resource={app['resource']}",
            f"--{provider}.username={app['user']}", f"--ServerApp.cookie_secret_file={secret_file}",
            "--ServerApp.terminals_enabled=True", "--LabApp.news_url=", "--LabServerApp.check_for_updates_class="
            "jupyterlab.NeverCheckForUpdate"]


def wait_until_answering(process: subprocess.Popen, base_url: str) -> bool:
    """True once JupyterLab answers (its /api needs no sign-in); False if it exited first."""
    url = f"http://127.0.0.1:{JUPYTER_PORT}{base_url}api"
    while process.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    return False


def main() -> int:
    # PID 1 has no default SIGTERM action: until JupyterLab runs, a stop ends the start at once.
    signal.signal(signal.SIGTERM, lambda *_: os._exit(143))
    for path in [APP, *APP.rglob("*")]:  # copied in as the emulator's user: the platform's own
        os.chown(path, 0, 0)
    app = json.loads((APP / "app.json").read_text())
    environment = {**os.environ, **app["environment"]}
    for hook in app["hooks"]:
        if run_hook(hook, environment) != 0:
            return 1
    user, home = app["user"], app["home"]
    grant_root(user, app.get("root_access", True))
    export_for_shells({"PATH": os.environ["PATH"], **app["environment"]})
    key_file, secret_file = APP / "signin.key", APP / "cookie.secret"
    secret_file.write_bytes(signin.cookie_secret(key_file.read_bytes()))
    for path in (key_file, secret_file):  # for JupyterLab's user alone
        os.chown(path, *_ids(user))
        path.chmod(0o600)
    kernels = {**environment, "HOME": home, "USER": user, "LOGNAME": user, "SHELL": "/bin/bash"}
    jupyter = subprocess.Popen(jupyter_command(app, key_file, secret_file), cwd=app["root_dir"], env=kernels,
                               user=user, group=_ids(user)[1], extra_groups=[], umask=0o022,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    signal.signal(signal.SIGTERM, lambda *_: jupyter.send_signal(signal.SIGTERM))
    relaying = threading.Thread(target=relay, args=(jupyter.stdout, "jupyter.log"), daemon=True)
    relaying.start()
    if wait_until_answering(jupyter, app["base_url"]):
        event(state="ready")
    code = jupyter.wait()
    relaying.join(5)
    return code


def _ids(user: str) -> tuple[int, int]:
    import pwd

    entry = pwd.getpwnam(user)
    return entry.pw_uid, entry.pw_gid
