"""Training on several instances, as the algorithm does on SageMaker: every host trains on the
data its channels hold (a shard with ShardedByS3Key, all of it with FullyReplicated), and
xgboost's collective sums their gradient statistics each round, so all hosts grow the same
trees; algo-1 (the first host) runs the tracker they meet at, prints the evaluation lines
and saves the model.
"""

import contextlib
import logging
import socket
import time

log = logging.getLogger(__name__)

TRACKER_PORT = 9099
WAIT_SECONDS = 300  # for the hosts' names to resolve
RETRIES = 30


def _resolve(host: str, deadline: float) -> str:
    while True:
        try:
            return socket.gethostbyname(host)
        except socket.gaierror:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@contextlib.contextmanager
def cluster(hosts: list[str], current_host: str):
    """Inside it, xgb.train on this host is one worker of all of them (rank = the host's place)."""
    from xgboost import collective, tracker

    hosts = sorted(hosts)
    deadline = time.monotonic() + WAIT_SECONDS
    master = _resolve(hosts[0], deadline)
    for host in hosts[1:]:
        _resolve(host, deadline)
    log.info("Distributed node training with %d hosts: %s", len(hosts), hosts)
    rabit = None
    if current_host == hosts[0]:
        rabit = tracker.RabitTracker(n_workers=len(hosts), host_ip=master, port=TRACKER_PORT, sortby="task")
        rabit.start()
    # The others may come before the tracker listens: they retry, with xgboost's backoff.
    with collective.CommunicatorContext(dmlc_tracker_uri=master, dmlc_tracker_port=TRACKER_PORT,
                                        dmlc_task_id=str(hosts.index(current_host)), dmlc_retry=RETRIES):
        yield
    if rabit is not None:
        rabit.wait_for()
