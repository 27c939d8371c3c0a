"""`train` in the XGBoost image (SAGEMAKER_TRAINING_MODULE): script mode when the job names a
`sagemaker_program` hyperparameter, as AWS's container decides, else the built-in algorithm.

A failure of the algorithm is written to /opt/ml/output/failure as the container's framework
error with the message last, so FailureReason reads `AlgorithmError: framework error: \\n
Missing required hyperparameter: num_round`; the traceback goes to the log only.
"""

import logging
import os
import sys
import traceback

FAILURE_FILE = "/opt/ml/output/failure"
LOG_FORMAT = "[%(asctime)s:%(levelname)s] %(message)s"


def main() -> None:
    from sagemaker_training import environment

    env = environment.Environment()
    if env.user_entry_point is not None:
        import sagemaker_emulator_training

        logging.getLogger(__name__).info("Invoking user training script.")
        sagemaker_emulator_training.run_user_script(env)
        return
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT, datefmt="%Y-%m-%d:%H:%M:%S", force=True)
    logging.info("Running XGBoost Sagemaker in algorithm mode")
    try:
        from . import algorithm

        algorithm.run()
    except Exception as error:
        logging.error("Reporting training FAILURE")
        logging.error("framework error: \n%s", traceback.format_exc())
        os.makedirs(os.path.dirname(FAILURE_FILE), exist_ok=True)
        with open(FAILURE_FILE, "w") as f:
            f.write(f"framework error: \n{error}")
        sys.stdout.flush()
        sys.stderr.flush()
        # sagemaker-training's trainer would write its own failure file over this one and
        # exit 0 on SystemExit: leave at once, as its own _exit_processes does.
        os._exit(1)
