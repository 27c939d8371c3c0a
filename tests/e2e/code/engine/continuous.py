"""A processing script whose Continuous output must reach S3 while it runs: it writes a file,
then waits (up to a minute) until the emulator has uploaded it, and says so in a second file."""

import os
import sys
import time

import boto3

out = "/opt/ml/processing/out"
bucket, prefix = sys.argv[1], sys.argv[2]
with open(os.path.join(out, "first.txt"), "w") as f:
    f.write("written while running\n")
s3 = boto3.client("s3")
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    if s3.list_objects_v2(Bucket=bucket, Prefix=f"{prefix}/first.txt").get("KeyCount"):
        with open(os.path.join(out, "second.txt"), "w") as f:
            f.write("first.txt was in S3 while the job ran\n")
        sys.exit(0)
    time.sleep(0.2)
sys.exit("first.txt never reached S3 while the job ran")
