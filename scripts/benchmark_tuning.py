"""An 8-trial hyperparameter tuning job, 2 trials at a time, on the real Docker runner: the
PyTorch image running tests/e2e/code/tune_train.py in script mode (the toolkit, no torch import).

Prints, from the emulator's own timestamps (DescribeHyperParameterTuningJob and each trial's
summary): the tuning job's wall time (CreationTime to HyperParameterTuningEndTime); the sum of
its trials' times (each trial's CreationTime to TrainingEndTime) and that sum halved, the
wall time two perfectly packed slots would take; and the emulator's own overhead per trial:
for each trial after the first two, the time from the end of the trial whose slot it took
to its creation (the driver notices an end at its next poll, SAGEMAKER_EMULATOR_TUNING_POLL_SECONDS,
0.5 s by default, then creates the next trial through CreateTrainingJob).

Usage: .venv/bin/python scripts/benchmark_tuning.py [--poll SECONDS] [--trials 8] [--parallel 2]
"""

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent.parent / "tests")]
from emulator_process import EmulatorProcess  # noqa: E402
from helpers import REPO, ensure_bucket, script_tuning_request, upload_sourcedir  # noqa: E402

BUCKET = "bench-tuning"


def tune(sm, code: str, trials: int, parallel: int) -> tuple[dict, list[dict]]:
    name = f"bench-{uuid.uuid4().hex[:8]}"
    sm.create_hyper_parameter_tuning_job(**script_tuning_request(name, BUCKET, code, "Random", trials, parallel,
                                                                 {"epochs": 2}))
    while True:
        desc = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
        if desc["HyperParameterTuningJobStatus"] not in ("InProgress", "Stopping"):
            break
        time.sleep(0.5)
    summaries = sm.list_training_jobs_for_hyper_parameter_tuning_job(HyperParameterTuningJobName=name,
                                                                     MaxResults=100)["TrainingJobSummaries"]
    return desc, summaries


def report(desc: dict, summaries: list[dict], parallel: int) -> None:
    seconds = lambda a, b: (b - a).total_seconds()  # noqa: E731
    wall = seconds(desc["CreationTime"], desc["HyperParameterTuningEndTime"])
    trial_times = [seconds(t["CreationTime"], t["TrainingEndTime"]) for t in summaries]
    created = sorted(t["CreationTime"] for t in summaries)
    ends = sorted(t["TrainingEndTime"] for t in summaries)
    # The k-th trial after the first `parallel` takes the slot of the k-th trial to end.
    gaps = [seconds(ends[k], created[k + parallel]) for k in range(len(created) - parallel)]
    print(f"tuning job {desc['HyperParameterTuningJobName']}: {desc['HyperParameterTuningJobStatus']}, "
          f"{len(summaries)} trials, {parallel} at a time")
    print(f"  wall time (created -> ended)           {wall:7.2f} s")
    print(f"  sum of trials' times                   {sum(trial_times):7.2f} s "
          f"(per trial median {statistics.median(trial_times):.2f} s, min {min(trial_times):.2f}, "
          f"max {max(trial_times):.2f})")
    print(f"  sum / {parallel} (slots perfectly packed)      {sum(trial_times) / parallel:7.2f} s")
    print(f"  first trial created after the job      {seconds(desc['CreationTime'], created[0]):7.2f} s")
    print(f"  trial ended -> next trial created      median {statistics.median(gaps):.2f} s, "
          f"mean {statistics.mean(gaps):.2f}, max {max(gaps):.2f} ({len(gaps)} gaps)")
    print(f"  last trial ended -> job ended          {seconds(ends[-1], desc['HyperParameterTuningEndTime']):7.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--poll", type=float, default=None, help="SAGEMAKER_EMULATOR_TUNING_POLL_SECONDS")
    parser.add_argument("--trials", type=int, default=8)
    parser.add_argument("--parallel", type=int, default=2)
    args = parser.parse_args()
    env = {"SAGEMAKER_EMULATOR_TUNING_POLL_SECONDS": str(args.poll)} if args.poll is not None else {}
    with tempfile.TemporaryDirectory() as tmp:
        emulator = EmulatorProcess(Path(tmp) / "data", extra_args=["--runner", "docker"], env=env).start()
        try:
            sm, s3 = emulator.client("sagemaker"), emulator.client("s3")
            ensure_bucket(s3, BUCKET)
            code = upload_sourcedir(s3, BUCKET, "code/sourcedir.tar.gz",
                                    {"tune_train.py": REPO / "tests/e2e/code/tune_train.py"})
            report(*tune(sm, code, args.trials, args.parallel), args.parallel)
        finally:
            emulator.stop()


if __name__ == "__main__":
    main()
