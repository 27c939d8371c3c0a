"""The Docker runner against the real engine and the real image, without the HTTP layer."""

import threading
import time

import docker
import pytest

from emulator.execution import contract, instances
from emulator.execution.docker_runner import LABEL, DockerRunner
from emulator.execution.runner import HostSpec, JobSpec, StartError
from emulator.execution.framework_image import PYTORCH_IMAGE

pytestmark = pytest.mark.docker


def spec(tmp_path, name, script, count=1, instance="ml.m5.large"):
    hosts = []
    for host in contract.host_names(count):
        layout = contract.Layout(tmp_path / host)
        layout.create()
        hosts.append(HostSpec(host, layout))
    return JobSpec(name=name, kind="training", image=PYTORCH_IMAGE, command=None,
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
