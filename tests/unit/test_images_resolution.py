"""Which local image AWS's framework image URIs run as (every account, region and tag the SDK
2.x's image_uri_config knows), the version notices, and the built-in XGBoost metric
definitions the platform matches a job's log with."""

import json
from pathlib import Path

import pytest
import sagemaker

from emulator.execution.framework_image import PYTORCH_IMAGE, SKLEARN_IMAGE, XGBOOST_IMAGE
from emulator.sagemaker.images import (builtin_metric_definitions, builtin_tuning_objectives, job_metric_definitions,
                                       resolve_image, version_notice)
from emulator.sagemaker.jobs.lifecycle import syslog_escaped
from emulator.sagemaker.jobs.training_worker import MetricWatcher

CONFIG = Path(sagemaker.__file__).parent / "image_uri_config"
# The registry domain of each partition the SDK knows a region of (image_uris._botocore_resolver).
DOMAINS = {"cn-": "amazonaws.com.cn", "us-iso-": "c2s.ic.gov", "us-isob-": "sc2s.sgov.gov",
           "eu-isoe-": "cloud.adc-e.uk", "us-isof-": "csp.hci.ic.gov", "eusc-": "amazonaws.eu"}


def sdk_uris(framework: str):
    """Every URI the SDK's config can give for the framework: (uri, repository)."""
    config = json.loads((CONFIG / f"{framework}.json").read_text())
    for scope in config.values():
        for version, spec in scope["versions"].items():
            tags = [f"{version}-{p}-py3" for p in spec.get("processors") or []] or [version]
            for region, account in spec["registries"].items():
                domain = next((d for prefix, d in DOMAINS.items() if region.startswith(prefix)), "amazonaws.com")
                for tag in tags:
                    yield f"{account}.dkr.ecr.{region}.{domain}/{spec['repository']}:{tag}"


@pytest.mark.parametrize("framework,image", [("sklearn", SKLEARN_IMAGE), ("xgboost", XGBOOST_IMAGE)])
def test_every_sdk_uri_resolves_to_the_local_image(framework, image):
    uris = list(sdk_uris(framework))
    assert len(uris) > 300
    assert {resolve_image(uri) for uri in uris} == {image}


def test_what_the_sdk_retrieves_today():
    assert resolve_image("683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3") \
        == SKLEARN_IMAGE
    assert resolve_image("683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1") == XGBOOST_IMAGE
    assert resolve_image("811284229777.dkr.ecr.us-east-1.amazonaws.com/xgboost:1") == XGBOOST_IMAGE
    assert resolve_image("763104351884.dkr.ecr.us-gov-west-1.amazonaws.com/pytorch-training:2.6-cpu-py312") \
        == PYTORCH_IMAGE
    for other in ("683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost-extra:1.7-1",
                  "my-registry/sagemaker-xgboost:1.7-1", "683313688378.dkr.ecr.us-east-1.example.com/xgboost:1"):
        assert resolve_image(other) == other


def test_notices_name_the_framework_and_versions():
    notice = version_notice("683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3")
    assert notice.endswith(f"runs as the local image {SKLEARN_IMAGE}: scikit-learn 1.2 asked, 1.9.1 runs")
    notice = version_notice("683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1")
    assert notice.endswith(f"runs as the local image {XGBOOST_IMAGE}: XGBoost 1.7 asked, 3.2.0 runs")
    assert version_notice("683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:3.2") is None


def test_xgboost_metric_definitions_as_aws_describes_them():
    definitions = {d["Name"]: d["Regex"] for d in builtin_metric_definitions(
        "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1")}
    assert definitions["validation:rmse"] == \
        r".*\[[0-9]+\].*#011validation-rmse:([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?).*"
    assert {"train:rmse", "validation:auc", "train:logloss", "validation:mlogloss"} <= set(definitions)
    assert builtin_metric_definitions(XGBOOST_IMAGE) == builtin_metric_definitions(
        "811284229777.dkr.ecr.us-east-1.amazonaws.com/xgboost:1")
    assert builtin_metric_definitions("683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1") \
        == []
    objectives = {o["MetricName"]: o["Type"] for o in builtin_tuning_objectives(XGBOOST_IMAGE)}
    assert objectives["validation:rmse"] == "Minimize" and objectives["validation:auc"] == "Maximize"
    assert not any(name.startswith("train:") for name in objectives)


def test_a_job_uses_them_only_in_algorithm_mode_and_without_its_own():
    spec = {"TrainingImage": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"}
    assert len(job_metric_definitions(spec, {"num_round": "3"})) == len(builtin_metric_definitions(XGBOOST_IMAGE))
    assert job_metric_definitions(spec, {"sagemaker_program": '"train.py"'}) == []
    own = [{"Name": "loss", "Regex": "loss=(\\S+)"}]
    assert job_metric_definitions({**spec, "MetricDefinitions": own}, {"num_round": "3"}) == own


def test_the_algorithms_evaluation_line_as_the_log_keeps_it_fills_the_final_metrics():
    """xgboost prints tabs; SageMaker's log writes them #011, which the definitions match."""
    watcher = MetricWatcher(builtin_metric_definitions(XGBOOST_IMAGE))
    for round_, (train, validation) in enumerate([(8.09, 8.5), (6.61, 7.25)]):
        line = syslog_escaped(f"[{round_}]\ttrain-rmse:{train:.5f}\tvalidation-rmse:{validation:.5f}")
        assert line == f"[{round_}]#011train-rmse:{train:.5f}#011validation-rmse:{validation:.5f}"
        watcher.feed(line, 100.0 + round_)
    assert sorted((m["MetricName"], m["Value"]) for m in watcher.final()) == [
        ("train:rmse", 6.61), ("validation:rmse", 7.25)]
