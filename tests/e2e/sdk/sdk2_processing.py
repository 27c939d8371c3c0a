"""The SageMaker Python SDK 2.x's processors, unchanged, against the emulator: ScriptProcessor
(one script uploaded as the code input) and PyTorchProcessor (a FrameworkProcessor: a
source_dir bundle and the SDK's runproc.sh), run(wait=True, logs=True). Prints one JSON line."""

import json
import sys
from pathlib import Path

import sagemaker
from sagemaker.processing import ProcessingInput, ProcessingOutput, ScriptProcessor
from sagemaker.pytorch.processing import PyTorchProcessor

src, work = Path(sys.argv[1]), Path(sys.argv[2])
role = "arn:aws:iam::123456789012:role/SageMakerRole"
session = sagemaker.Session()
bucket = session.default_bucket()
(work / "rows.csv").write_text("1,2\n3,4\n5,6\n7,8\n")
raw = session.upload_data(str(work / "rows.csv"), key_prefix="sdk2-processing/raw")

outputs = [ProcessingOutput(output_name=n, source=f"/opt/ml/processing/{n}") for n in ("train", "test", "summary")]
seen = {}

script = ScriptProcessor(image_uri=sagemaker.image_uris.retrieve("pytorch", session.boto_region_name, "2.6",
                                                                  py_version="py312", instance_type="ml.m5.large",
                                                                  image_scope="training"),
                         command=["python3"], role=role, instance_count=1, instance_type="ml.m5.large")
# A single script: its helper module is not there, so this run gets its own copy inline.
(work / "preprocess_single.py").write_text(
    (src / "preprocess.py").read_text().replace("from helper_module import scale", "scale = lambda v, f: v * f"))
script.run(code=str(work / "preprocess_single.py"),
           inputs=[ProcessingInput(source=raw, destination="/opt/ml/processing/input")],
           outputs=outputs, arguments=["--factor", "2"], wait=True, logs=True)
job = script.latest_job.describe()
seen["script"] = {"status": job["ProcessingJobStatus"],
                  "train": session.read_s3_file(bucket, job["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"]
                                                .split(f"s3://{bucket}/", 1)[1] + "/train.csv")}

framework = PyTorchProcessor(framework_version="2.6", py_version="py312", role=role, instance_count=1,
                             instance_type="ml.m5.large", base_job_name="sdk2-pytorch-processing")
framework.run(code="preprocess.py", source_dir=str(src),
              inputs=[ProcessingInput(source=raw, destination="/opt/ml/processing/input")],
              outputs=outputs, arguments=["--factor", "3"], wait=True, logs=True)
job = framework.latest_job.describe()
summary_uri = next(o["S3Output"]["S3Uri"] for o in job["ProcessingOutputConfig"]["Outputs"] if o["OutputName"] == "summary")
seen["framework"] = {"status": job["ProcessingJobStatus"], "entrypoint": job["AppSpecification"]["ContainerEntrypoint"],
                     "summary": json.loads(session.read_s3_file(bucket, summary_uri.split(f"s3://{bucket}/", 1)[1]
                                                                + "/summary.json"))}
print(json.dumps(seen))
