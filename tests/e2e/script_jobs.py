"""A script-mode training job as the SDK starts one: the code uploaded as sourcedir.tar.gz, the
`sagemaker_*` hyperparameters, one `train` channel; waited for to its end."""

from pathlib import Path

from helpers import script_hyperparameters, training_request, upload_sourcedir, wait_for
from hosting import unique


def run_script_job(sm, s3, bucket: str, files: dict[str, Path], program: str, hyperparameters: dict, train_uri: str,
                   image: str) -> dict:
    code = upload_sourcedir(s3, bucket, f"code/{unique(program.split('.')[0])}/sourcedir.tar.gz", files)
    name = unique(program.split(".")[0].replace("_", "-"))
    sm.create_training_job(**training_request(name, bucket, script_hyperparameters(program, code, hyperparameters),
                                              channels=[("train", train_uri)], image=image))
    return wait_for(sm, name)
