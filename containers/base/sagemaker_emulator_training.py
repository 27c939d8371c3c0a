"""`train` for the scikit-learn image (SAGEMAKER_TRAINING_MODULE) and XGBoost's script mode:
the user's entry point run by the sagemaker-training toolkit, as AWS's scikit-learn
container runs it. A `.py` file runs with python, a package (setup.py) with `python -m`,
anything else (a `.sh`) with `/bin/sh -c`; hyperparameters are its arguments and SM_*
variables its environment; requirements.txt is installed first.
"""

from sagemaker_training import entry_point, environment, runner


def run_user_script(env: environment.Environment) -> None:
    entry_point.run(uri=env.module_dir, user_entry_point=env.user_entry_point, args=env.to_cmd_args(),
                    env_vars=env.to_env_vars(), runner_type=runner.ProcessRunnerType)


def main() -> None:
    run_user_script(environment.Environment())
