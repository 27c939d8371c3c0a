"""Run by tests/unit/test_fast_path.py: the SageMaker SDK 2.x reading one value of the config
file `sagemaker-emulator env` names 20 times, as its estimators and models do, and validating
an invalid config twice. Counts how often jsonschema really validated. Prints RESULT <json>."""

import json

import jsonschema
import sagemaker
from sagemaker.config import validate_sagemaker_config
from sagemaker.utils import resolve_value_from_config

real_validate, validations = jsonschema.validate, []


def counted_validate(*args, **kwargs):
    validations.append(1)
    return real_validate(*args, **kwargs)


jsonschema.validate = counted_validate
session = sagemaker.Session()  # loads and validates the config file
before = len(validations)
values = {resolve_value_from_config(config_path="SageMaker.PythonSDK.Modules.Session.DefaultS3Bucket",
                                    sagemaker_session=session) for _ in range(20)}
reads = len(validations) - before
refused = 0
for _ in range(2):
    try:
        validate_sagemaker_config({"SchemaVersion": "1.0", "SageMaker": {"PythonSDK": {"Modules": {
            "Session": {"DefaultS3Bucket": 5}}}}})
    except jsonschema.ValidationError:
        refused += 1
print("RESULT", json.dumps({"values": sorted(values), "validations_in_reads": reads, "refused": refused}))
