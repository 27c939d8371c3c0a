"""Fixtures the endpoint and transform tests share: a trained model and user inference code;
and the console tests' browser."""

import subprocess

import pytest

from emulator.execution.framework_image import PYTORCH_IMAGE

from browser import chromium
from helpers import REPO, ensure_bucket, script_hyperparameters, training_request, upload_sourcedir, wait_for
from hosting import BUCKET, unique

CODE = REPO / "tests/e2e/code"


@pytest.fixture(scope="session")
def runtime(emulator):
    return emulator.client("sagemaker-runtime")


@pytest.fixture(scope="session")
def bucket(s3):
    ensure_bucket(s3, BUCKET)
    return BUCKET


@pytest.fixture(scope="session")
def artifact(sm, s3, bucket):
    """model.tar.gz of a training job: model.pt with out = [x0+x1+x2, x0-x1]."""
    code = upload_sourcedir(s3, BUCKET, "code/tiny/sourcedir.tar.gz", {"tiny_train.py": CODE / "tiny_train.py"})
    name = unique("tiny")
    sm.create_training_job(**training_request(name, BUCKET, script_hyperparameters("tiny_train.py", code)))
    desc = wait_for(sm, name)
    assert desc["TrainingJobStatus"] == "Completed", desc.get("FailureReason")
    return desc["ModelArtifacts"]["S3ModelArtifacts"]


@pytest.fixture(scope="session")
def user_code(s3, bucket):
    return upload_sourcedir(s3, BUCKET, "code/inference/sourcedir.tar.gz",
                            {"inference.py": CODE / "inference.py", "requirements.txt": CODE / "requirements.txt",
                             "transform_fn_inference.py": CODE / "transform_fn_inference.py"})




@pytest.fixture(scope="session")
def byoc_image():
    """tests/e2e/byoc: an inference image with the bare contract and no toolkit."""
    image = "smemu-test/byoc-echo:1"
    subprocess.run(["docker", "build", "-q", "-t", image, "--build-arg", f"BASE={PYTORCH_IMAGE}",
                    str(REPO / "tests/e2e/byoc")], check=True, capture_output=True)
    return image


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


@pytest.fixture
def open_page(browser, emulator):
    """Opens console pages (each in a new browser context); a script error on any fails the test."""
    contexts, errors = [], []

    def open_page():
        context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=emulator.url)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page
    yield open_page
    for context in contexts:
        context.close()
    assert not errors, errors
