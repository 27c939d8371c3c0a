"""User inference code with every handler function, and ways to misbehave on request."""

import json
import os
import time

import torch


def model_fn(model_dir):
    if os.environ.get("FAIL_MODEL_FN"):
        raise RuntimeError("model_fn was told to fail")
    return torch.jit.load(os.path.join(model_dir, "model.pt"))


def input_fn(body, content_type):
    if content_type != "application/json":
        from sagemaker_inference import errors
        raise errors.UnsupportedFormatError(content_type)
    request = json.loads(body)
    if request.get("sleep"):
        time.sleep(request["sleep"])
    if request.get("fail"):
        raise ValueError("input_fn was told to fail")
    return request


def predict_fn(request, model):
    with torch.no_grad():
        return {"outputs": model(torch.tensor(request["inputs"], dtype=torch.float32)).tolist(),
                "stream": request.get("stream", 0), "pid": os.getpid()}


def output_fn(prediction, accept):
    if prediction["stream"]:
        def chunks():
            for i in range(prediction["stream"]):
                yield json.dumps({"part": i}) + "\n"
                time.sleep(0.05)
        return chunks(), "application/jsonlines"
    return json.dumps({"outputs": prediction["outputs"], "pid": prediction["pid"]}), "application/json"
