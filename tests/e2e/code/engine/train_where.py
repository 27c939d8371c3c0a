"""Script-mode training on the scikit-learn image that also records where it ran: its addresses,
what is mounted under /opt/ml, whether the Docker socket or host credentials reached it, and what
a `notes` channel held (a file:// channel, when there is one)."""

import json
import os
import socket

import joblib
import pandas as pd
from sklearn.linear_model import LinearRegression

rows = pd.read_csv(os.path.join(os.environ["SM_CHANNEL_TRAIN"], "rows.csv"), header=None)
model = LinearRegression().fit(rows.iloc[:, 1:], rows.iloc[:, 0])
model_dir = os.environ["SM_MODEL_DIR"]
joblib.dump(model, os.path.join(model_dir, "model.joblib"))
with open("/proc/self/mountinfo") as f:
    mounts = sorted(line.split()[4] for line in f if line.split()[4].startswith("/opt/ml"))
notes = os.environ.get("SM_CHANNEL_NOTES")
where = {
    "addresses": sorted({info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}),
    "mounts": mounts,
    "docker_socket": os.path.exists("/var/run/docker.sock"),
    "aws_credentials_file": os.path.exists(os.path.expanduser("~/.aws/credentials")),
    "access_key": os.environ.get("AWS_ACCESS_KEY_ID"),
    "endpoint": os.environ.get("AWS_ENDPOINT_URL"),
    "notes": open(os.path.join(notes, "note.txt")).read() if notes else None,
}
with open(os.path.join(model_dir, "where.json"), "w") as f:
    json.dump(where, f)
print(f"trained on {len(rows)} rows at {where['addresses']}")
