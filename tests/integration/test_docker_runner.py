"""The Docker runner against the real engine and the real image, without the HTTP layer; and
against a second engine over TCP that shares no path with this process (tests/second_engine.py)."""

import io
import shutil
import threading
import time
from pathlib import Path

import docker
import pytest
import urllib3

import second_engine
from emulator.execution import contract, instances
from emulator.execution.docker_runner import HOST_TREE_LABEL, LABEL, DockerRunner
from emulator.execution.framework_image import PYTORCH_IMAGE, SKLEARN_IMAGE
from emulator.execution.runner import HostSpec, JobSpec, ServeSpec, StartError
from helpers import wait_until

pytestmark = pytest.mark.docker
CODE = Path(__file__).resolve().parent / "code"


def spec(tmp_path, name, script, count=1, instance="ml.m5.large", image=PYTORCH_IMAGE):
    hosts = []
    for host in contract.host_names(count):
        layout = contract.Layout(tmp_path / host)
        layout.create()
        hosts.append(HostSpec(host, layout))
    return JobSpec(name=name, kind="training", image=image, command=None,
                   entrypoint=["sh", "-c", script], environment={"GREETING": "hi"}, hosts=hosts,
                   instance=instances.lookup(instance))


def collect(job):
    lines = []
    job.follow_logs(lambda host, line: lines.append((host, line)))
    return lines


def test_hosts_resolve_each_other_limits_apply_and_everything_is_removed(tmp_path):
    runner = DockerRunner()
    job = runner.start(spec(tmp_path, f"it-{int(time.time())}",
                            "echo $GREETING from $(hostname); "
                            "for i in $(seq 100); do getent hosts algo-1 && getent hosts algo-2 && break; sleep 0.1; done "
                            ">/dev/null; echo resolved $(for h in algo-1 algo-2; do getent hosts $h | head -1; done | wc -l); "
                            "cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null "
                            "|| cat /sys/fs/cgroup/memory.max; echo done > /opt/ml/model/m.txt",
                            count=2, instance="ml.c5.large"))
    lines = collect(job)
    codes = job.wait()
    names = [c.name for c in job.containers.values()]
    job.remove()
    assert codes == {"algo-1": 0, "algo-2": 0}
    assert ("algo-1", "hi from algo-1") in lines and ("algo-2", "hi from algo-2") in lines
    assert ("algo-1", "resolved 2") in lines  # both host names resolve on the job's network
    assert ("algo-2", "resolved 2") in lines
    assert ("algo-1", str(4 * 2**30)) in lines  # ml.c5.large: 4 GiB
    assert (tmp_path / "algo-2" / "model" / "m.txt").read_text() == "done\n"
    client = docker.from_env()
    assert not client.containers.list(all=True, filters={"name": names[0]})
    assert not client.networks.list(filters={"label": f"{LABEL}.job={job.spec.name}"})


def test_one_failing_host_stops_the_others(tmp_path):
    job = DockerRunner().start(spec(tmp_path, f"it-fail-{int(time.time())}",
                                    'if [ "$(hostname)" = algo-2 ]; then exit 5; fi; sleep 300', count=2))
    started = time.monotonic()
    codes = job.wait()
    job.remove()
    assert codes["algo-2"] == 5 and codes["algo-1"] != 0
    assert time.monotonic() - started < 60


def test_stop_delivers_sigterm_to_every_process(tmp_path):
    script = ("python3 -c \"import signal,sys,time\n"
              "def h(*a): open('/opt/ml/model/term','w').write('ok'); sys.exit(0)\n"
              "signal.signal(signal.SIGTERM, h)\nprint('ready', flush=True)\ntime.sleep(300)\"")
    job = DockerRunner().start(spec(tmp_path, f"it-stop-{int(time.time())}", script))
    ready = threading.Event()
    threading.Thread(target=job.follow_logs, args=(lambda h, l: l == "ready" and ready.set(),),
                     daemon=True).start()
    assert ready.wait(60)
    job.stop(grace_seconds=30)
    codes = job.wait()
    job.remove()
    assert codes == {"algo-1": 0}
    assert (tmp_path / "algo-1" / "model" / "term").read_text() == "ok"


def test_missing_image_is_a_start_error(tmp_path):
    job_spec = spec(tmp_path, "it-noimage", "true")
    job_spec.image = "no-such/image:1"
    with pytest.raises(StartError, match="no-such/image:1"):
        DockerRunner().start(job_spec)


def test_a_host_that_finished_still_resolves(tmp_path):
    # On AWS a finished host keeps its address until the job ends; the toolkit on a
    # slower host waits until every name resolves, so a lost name would hang the job.
    job = DockerRunner().start(spec(tmp_path, f"it-late-{int(time.time())}",
                                    '[ "$(hostname)" = algo-1 ] && exit 0; sleep 2; '
                                    "getent hosts algo-1 >/dev/null && echo late-resolved", count=2))
    try:
        lines = collect(job)
        assert job.wait() == {"algo-1": 0, "algo-2": 0}
        assert ("algo-2", "late-resolved") in lines
    finally:
        job.remove()


# -- moving files through the engine's API (docker_files.py), on this machine's engine and on
# the second one, which shares no path with this process (tests/second_engine.py) ---------------

@pytest.fixture(scope="module", params=["local", "second"])
def engine(request):
    """(runner, image): this machine's engine on its socket, or the second engine over TCP."""
    if request.param == "local":
        return DockerRunner(), SKLEARN_IMAGE
    return DockerRunner(client=second_engine.client()), second_engine.IMAGE


def test_the_tree_goes_in_and_the_outputs_come_back(tmp_path, engine):
    """On the local engine through a volume's folder, on the second through the archive API."""
    runner, image = engine
    job_spec = spec(tmp_path, f"it-files-{int(time.time() * 1000)}",
                    "set -e; cat /opt/ml/input/data/train/rows.csv; cat /opt/ml/input/data/user/note.txt; "
                    "grep ' /opt/ml' /proc/self/mountinfo | cut -d' ' -f5 | sort | tr '\\n' ' '; echo; "
                    "mkdir -p /opt/ml/model/sub /opt/ml/processing/out; "
                    "echo weights > /opt/ml/model/sub/w.txt; echo why > /opt/ml/output/failure; "
                    "echo result > /opt/ml/processing/out/r.txt; "
                    "(echo scribble > /opt/ml/input/data/user/note.txt) 2>/dev/null || true", image=image)  # read-only where bound
    host = job_spec.hosts[0]
    host.layout.channel_dir("train").mkdir(parents=True)
    (host.layout.channel_dir("train") / "rows.csv").write_text("1,2\n")
    user = tmp_path / "user-folder"  # a file:// channel: the user's own folder, read-only
    user.mkdir()
    (user / "note.txt").write_text("from the user's disk\n")
    host.layout.channel_dir("user").mkdir(parents=True)
    host.mounts.append((user, "/opt/ml/input/data/user", True))
    host.outputs.append("/opt/ml/processing/out")
    lines, codes = _finished(runner.start(job_spec))
    assert codes == {"algo-1": 0}
    assert lines[:2] == ["1,2", "from the user's disk"]
    # Nothing of this disk is mounted at /opt/ml: a volume of the engine's (the local one), the
    # container's own files (over TCP), the file:// channel bound where the engine sees it.
    mounted = {"local": "/opt/ml /opt/ml/input/data/user", "second": ""}
    assert lines[2].strip() == mounted["local" if runner.shares_files() else "second"]
    layout = host.layout
    assert (layout.model_dir / "sub" / "w.txt").read_text() == "weights\n"
    assert (layout.failure_file).read_text() == "why\n"
    assert (layout.root / "processing" / "out" / "r.txt").read_text() == "result\n"
    assert (user / "note.txt").read_text() == "from the user's disk\n"  # the user's folder is never written


def test_a_read_write_mount_comes_back(tmp_path, engine):
    runner, image = engine
    job_spec = spec(tmp_path, f"it-rw-{int(time.time() * 1000)}",
                    "cat /opt/ckpt/step.txt; echo step-9 > /opt/ckpt/step.txt", image=image)
    checkpoints = tmp_path / "ckpt"  # as a CheckpointConfig.LocalPath is mounted
    checkpoints.mkdir()
    (checkpoints / "step.txt").write_text("step-1\n")
    job_spec.hosts[0].mounts.append((checkpoints, "/opt/ckpt", False))
    lines, codes = _finished(runner.start(job_spec))
    assert codes == {"algo-1": 0} and lines == ["step-1"]
    assert (checkpoints / "step.txt").read_text() == "step-9\n"


def test_what_a_container_links_to_never_comes_back(tmp_path, engine):
    """Its links to this machine's files or folders (here /etc) bring nothing of them back."""
    runner, image = engine
    job_spec = spec(tmp_path, f"it-links-{int(time.time() * 1000)}",
                    "echo mine > /opt/ml/model/real.txt; ln -s /etc /opt/ml/model/etc; "
                    "ln -s /etc/hostname /opt/ml/model/hostname; rm -rf /opt/ml/output/data; "
                    "ln -s /etc /opt/ml/output/data; ln -s /etc /opt/ml/checkpoints/etc", image=image)
    lines, codes = _finished(runner.start(job_spec))
    assert codes == {"algo-1": 0}
    layout = job_spec.hosts[0].layout
    brought = sorted(p.relative_to(layout.root).as_posix() for p in layout.root.rglob("*")
                     if p.is_file() or p.is_symlink())
    assert [p for p in brought if not p.startswith("input/")] == ["model/real.txt"]


def test_what_the_image_has_under_opt_ml_stays_beside_the_tree(tmp_path, engine):
    """A bring-your-own image that COPYs its script to /opt/ml/code (AWS's own example does) keeps it."""
    runner, image = engine
    tag = "smemu-test/code-in-image:1"
    dockerfile = f"FROM {image}\nRUN mkdir -p /opt/ml/code && echo 'print(1)' > /opt/ml/code/train.py\n"
    runner.client.images.build(fileobj=io.BytesIO(dockerfile.encode()), tag=tag, rm=True)
    job_spec = spec(tmp_path, f"it-image-{int(time.time() * 1000)}",
                    "cat /opt/ml/code/train.py; cat /opt/ml/input/config/hyperparameters.json", image=tag)
    (job_spec.hosts[0].layout.config_dir / "hyperparameters.json").write_text('{"epochs": "2"}\n')
    lines, codes = _finished(runner.start(job_spec))
    assert codes == {"algo-1": 0}
    assert lines == ["print(1)", '{"epochs": "2"}']


def _finished(job) -> tuple[list[str], dict]:
    try:
        lines = [line for _, line in collect(job)]
        return lines, job.wait()
    finally:
        job.remove()


def test_live_outputs_come_back_while_the_job_runs(tmp_path, engine):
    runner, image = engine
    job_spec = spec(tmp_path, f"it-live-{int(time.time() * 1000)}",
                    "mkdir -p /opt/ml/processing/live; echo first > /opt/ml/processing/live/a.txt; "
                    "while [ ! -e /opt/ml/processing/go ]; do sleep 0.1; done; "
                    "echo second > /opt/ml/processing/live/a.txt", image=image)
    host = job_spec.hosts[0]
    live = host.layout.root / "processing" / "live"
    host.outputs.append("/opt/ml/processing/live")
    host.live_outputs.append("/opt/ml/processing/live")
    job = runner.start(job_spec)
    try:
        wait_until(lambda: (live / "a.txt").is_file() and (live / "a.txt").read_text() == "first\n", 30,
                   "a.txt copied back while the job runs")
        before = (live / "a.txt").stat().st_mtime_ns
        job.containers["algo-1"].exec_run(["touch", "/opt/ml/processing/go"])
        assert job.wait() == {"algo-1": 0}
        assert (live / "a.txt").read_text() == "second\n"
        assert (live / "a.txt").stat().st_mtime_ns != before  # a watcher of (mtime, size) sees the change
    finally:
        job.remove()


def test_model_data_is_one_volume_shared_read_only_and_removed_after_its_last_container(tmp_path, engine):
    runner, image = engine
    model_dir = tmp_path / "model"
    (model_dir / "code").mkdir(parents=True)
    (model_dir / "weights.txt").write_text("w=3\n")
    shutil.copy(CODE / "weights_inference.py", model_dir / "code" / "inference.py")
    stamp = int(time.time() * 1000)
    servings = []
    try:
        for i in range(2):
            servings.append(runner.serve(ServeSpec(
                name=f"smemu-it-serve-{stamp}-{i}", image=image, environment={"SAGEMAKER_PROGRAM": "inference.py"},
                model_dir=model_dir, instance=instances.lookup("ml.m5.large"))))
        http = urllib3.PoolManager(retries=False)

        def answer(serving):
            try:
                reply = http.request("POST", serving.url + "/invocations", body=b"x", timeout=2)
                return reply.data.decode() if reply.status == 200 else None
            except urllib3.exceptions.HTTPError:
                return None
        assert [wait_until(lambda s=s: answer(s), 60, "the model answers") for s in servings] == \
            ["w=3 writable=False"] * 2  # the model's file, in a folder it cannot write
        # Called where it answered: this machine's engine at the container's bridge address (no
        # userland proxy between), the engine over TCP (elsewhere, for all the runner knows) at the port.
        networks = [runner.client.api.inspect_container(s.container.id)["NetworkSettings"] for s in servings]
        published = [f"http://127.0.0.1:{n['Ports']['8080/tcp'][0]['HostPort']}" for n in networks]
        local = runner.client.api.base_url.startswith("http+docker://localhost")
        assert [s.url for s in servings] == ([f"http://{n['IPAddress']}:8080" for n in networks] if local else published)
        if local:  # once its process is gone its bridge address may be the next container's: the port it is
            runner.client.api.kill(servings[0].container.id)
            wait_until(lambda: servings[0].url == published[0], 10, "the killed container to be called at its port")
        volumes = {m["Name"] for s in servings for m in runner.client.api.inspect_container(s.container.id)["Mounts"]}
        assert len(volumes) == 1  # both instances mount one copy of the model
        servings.pop().stop(grace_seconds=1)
        assert runner.client.volumes.list(filters={"name": next(iter(volumes))})  # the other still uses it
        servings.pop().stop(grace_seconds=1)
        assert not runner.client.volumes.list(filters={"name": next(iter(volumes))})
    finally:
        for serving in servings:
            serving.stop(grace_seconds=1)


def test_leftovers_are_a_job_hosts_volumes_and_not_a_kind_s_other_volumes():
    """At start the runner sweeps what a crashed emulator's jobs left: their hosts' /opt/ml
    volumes, never another volume of the same kind (a notebook's home outlives its containers)."""
    home = f"it-sweep-{int(time.time() * 1000)}"
    runner = DockerRunner(home=home)
    kind = {LABEL: home, f"{LABEL}.kind": "notebook"}
    host_tree = runner.client.volumes.create(f"{home}-tree", labels={**kind, HOST_TREE_LABEL: "true"})
    kept = runner.client.volumes.create(f"{home}-home", labels=kind)
    try:
        runner.remove_leftovers("notebook")
        names = {v.name for v in runner.client.volumes.list(filters={"label": f"{LABEL}={home}"})}
        assert names == {kept.name}, f"{host_tree.name} swept, {kept.name} kept"
    finally:
        for volume in runner.client.volumes.list(filters={"label": f"{LABEL}={home}"}):
            volume.remove(force=True)
