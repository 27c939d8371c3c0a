"""A bring-your-own container: the bare SageMaker contract, no toolkit.

`train`: writes /opt/ml/model/model.json from hyperparameters.json and the training channel.
`serve`: /ping, /invocations (echoes the body upper-cased, or sleeps for `sleep:<seconds>`),
/execution-parameters (asks batch transform for SingleRecord, 2 at a time).
"""

import http.server
import json
import os
import signal
import sys
import time


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _reply(self, status, body, content_type="text/plain", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/ping":
            self._reply(200, b"")
        elif self.path == "/execution-parameters":
            self._reply(200, json.dumps({"MaxConcurrentTransforms": 2, "BatchStrategy": "SINGLE_RECORD",
                                         "MaxPayloadInMB": 1}).encode(), "application/json")
        else:
            self._reply(404, b"")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if body.startswith(b"sleep:"):
            time.sleep(float(body[6:]))
        attributes = self.headers.get("X-Amzn-SageMaker-Custom-Attributes")
        headers = [("X-Amzn-SageMaker-Custom-Attributes", "echo=" + attributes)] if attributes else []
        reply = body.upper() + b" batch=" + os.environ.get("SAGEMAKER_BATCH", "no").encode()
        self._reply(200, reply, "text/x-shout", headers)

    def log_message(self, fmt, *args):
        print(fmt % args, flush=True)


def train():
    config = "/opt/ml/input/config"
    with open(f"{config}/hyperparameters.json") as f:
        hyperparameters = json.load(f)
    channel = "/opt/ml/input/data/training"
    summary = {"hyperparameters": hyperparameters, "training_files": sorted(os.listdir(channel)),
               "hosts": json.load(open(f"{config}/resourceconfig.json"))["hosts"]}
    with open("/opt/ml/model/model.json", "w") as f:
        json.dump(summary, f)
    print("byoc trained", flush=True)


if __name__ == "__main__" and sys.argv[1:] == ["train"]:
    train()
elif __name__ == "__main__" and sys.argv[1:] == ["serve"]:
    # PID 1 has no default SIGTERM action: without this, every stop waits for SIGKILL.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    http.server.ThreadingHTTPServer(("0.0.0.0", 8080), Handler).serve_forever()
