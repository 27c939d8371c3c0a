"""`serve`: install the model's requirements, put its code on the path, start the server."""

import os
import subprocess
import sys
import tarfile
import tempfile

MODEL_CODE = os.path.join(os.environ.get("SAGEMAKER_MODEL_DIR", "/opt/ml/model"), "code")


def code_dirs() -> list[str]:
    """<model>/code, as the toolkit uses, plus SAGEMAKER_SUBMIT_DIRECTORY when it names
    code elsewhere (an S3 sourcedir.tar.gz the SDK uploaded, or a folder)."""
    dirs = [MODEL_CODE] if os.path.isdir(MODEL_CODE) else []
    submit = os.environ.get("SAGEMAKER_SUBMIT_DIRECTORY", "")
    if submit.startswith("s3://"):
        dirs.append(_download_sourcedir(submit))
    elif submit and os.path.isdir(submit) and submit not in dirs:
        dirs.append(submit)
    return dirs


def _download_sourcedir(uri: str) -> str:
    import boto3

    bucket, _, key = uri[len("s3://"):].partition("/")
    target = tempfile.mkdtemp(prefix="sagemaker-code-")
    archive = os.path.join(target, "sourcedir.tar.gz")
    boto3.client("s3").download_file(bucket, key, archive)
    with tarfile.open(archive) as tar:
        tar.extractall(target, members=_safe_members(tar, target))
    os.remove(archive)
    return target


def _safe_members(tar: tarfile.TarFile, target: str):
    """Plain files and folders that stay inside target (the image's Python 3.11.2 predates
    tarfile's extraction filters)."""
    root = os.path.realpath(target)
    for member in tar.getmembers():
        path = os.path.realpath(os.path.join(root, member.name))
        if not (member.isfile() or member.isdir()) or os.path.commonpath([root, path]) != root:
            raise SystemExit(f"refusing archive member {member.name!r}: it escapes the code folder "
                             "or is not a plain file")
        yield member


def install_requirements(folder: str) -> None:
    requirements = os.path.join(folder, "requirements.txt")
    if os.path.isfile(requirements):
        print(f"Installing requirements from {requirements}", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "--no-cache-dir",
                        "--disable-pip-version-check", "-r", requirements], check=True)


def main() -> None:
    dirs = code_dirs()
    for folder in dirs:
        install_requirements(folder)
    os.environ["PYTHONPATH"] = os.pathsep.join([*dirs, os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    os.execvp(sys.executable, [sys.executable, "-m", "gunicorn", "-c",
                               "python:sagemaker_emulator_serving.gunicorn_conf",
                               "sagemaker_emulator_serving.app:application"])
