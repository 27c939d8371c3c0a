"""`sagemaker-emulator env`: what it exports, and the SDK config file it writes."""

from emulator.shell_env import exports, render


def test_bare_shell_gets_endpoint_region_dummy_credentials_and_sdk_config(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    pairs = dict(exports("127.0.0.1", 9000, environ={"HOME": str(tmp_path)}))
    assert pairs["AWS_ENDPOINT_URL"] == "http://127.0.0.1:9000"
    assert pairs["AWS_DEFAULT_REGION"] == pairs["AWS_REGION"] == "us-east-1"
    assert pairs["AWS_ACCESS_KEY_ID"] == "emulator"
    config = (tmp_path / "sagemaker-emulator" / "sagemaker-sdk-us-east-1.yaml").read_text()
    assert pairs["SAGEMAKER_USER_CONFIG_OVERRIDE"].endswith("sagemaker-sdk-us-east-1.yaml")
    assert "DefaultS3Bucket: sagemaker-us-east-1-123456789012" in config
    assert "TelemetryOptOut: true" in config


def test_credentials_and_region_already_set_are_left_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    pairs = dict(exports("127.0.0.1", 9000, environ={"AWS_ACCESS_KEY_ID": "mine", "AWS_DEFAULT_REGION": "eu-west-1",
                                                      "AWS_REGION": "eu-west-1", "HOME": str(tmp_path)}))
    assert "AWS_ACCESS_KEY_ID" not in pairs and "AWS_DEFAULT_REGION" not in pairs
    assert pairs["SAGEMAKER_USER_CONFIG_OVERRIDE"].endswith("sagemaker-sdk-eu-west-1.yaml")
    assert render([("A", "x y")]) == "export A='x y'\n"
