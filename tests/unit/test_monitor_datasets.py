"""The Model Monitor analyzer reading its inputs (CSV with and without a header, JSON lines,
capture files in every encoding, a record preprocessor) and running whole jobs from their
environment, as the container does: the reports it writes and the message it leaves."""

import base64
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "containers" / "model-monitor"))

from model_monitor_analyzer import datasets  # noqa: E402
from model_monitor_analyzer.environment import Job, JobError  # noqa: E402
from model_monitor_analyzer.main import main  # noqa: E402

CAPTURE_FORMAT = json.dumps({"sagemakerCaptureJson": {"captureIndexNames": ["endpointInput", "endpointOutput"]}})


def job(tmp_path, dataset_format, **env) -> Job:
    return Job.from_environment({"dataset_format": json.dumps(dataset_format) if isinstance(dataset_format, dict)
                                 else dataset_format, "dataset_source": str(tmp_path / "in"),
                                 "output_path": str(tmp_path / "out"), **env})


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_csv_with_and_without_a_header(tmp_path):
    write(tmp_path / "in/a.csv", "label,x,y\n1,2,3\n4,5\n")
    write(tmp_path / "in/sub/b.csv", "label,x,y\n7,8,9\n")
    read = datasets.read(job(tmp_path, {"csv": {"header": True}}))
    assert not read.positional
    assert read.frame[["label", "x"]].to_dict("list") == {"label": ["1", "4", "7"], "x": ["2", "5", "8"]}
    assert read.frame["y"].isna().tolist() == [False, True, False]  # a short row misses its last field
    write(tmp_path / "in/sub/b.csv", "7,8,9,10\n")
    (tmp_path / "in/a.csv").unlink()
    read = datasets.read(job(tmp_path, {"csv": {"header": False}}))
    assert read.positional and list(read.frame.columns) == ["_c0", "_c1", "_c2", "_c3"]


def test_json_lines_are_flattened(tmp_path):
    write(tmp_path / "in/d.jsonl", '{"a": 1, "b": {"c": "x", "d": [2, 3]}}\n\n{"a": 2.5}\n')
    read = datasets.read(job(tmp_path, {"json": {"lines": True}}))
    assert read.frame.to_dict("records")[0] == {"a": 1, "b.c": "x", "b.d.0": 2, "b.d.1": 3}
    assert read.item_count == 2


def capture(data_in, data_out, when="2024-05-01T10:15:00Z", content_in="text/csv", encoding_in="CSV",
            content_out="text/csv", encoding_out="CSV"):
    return json.dumps({"captureData": {
        "endpointInput": {"observedContentType": content_in, "mode": "INPUT", "data": data_in, "encoding": encoding_in},
        "endpointOutput": {"observedContentType": content_out, "mode": "OUTPUT", "data": data_out,
                           "encoding": encoding_out}},
        "eventMetadata": {"eventId": "e", "inferenceTime": when}, "eventVersion": "0"})


def test_captured_rows_put_the_output_first_and_keep_to_the_window(tmp_path):
    b64 = base64.b64encode(b"7,8,9").decode()
    write(tmp_path / "in/ep/AllTraffic/2024/05/01/10/x.jsonl", "\n".join([
        capture("1,2,3\n4,5,6", "0.5\n0.7"),                              # two rows in one record
        capture(b64, "[[1.5]]", encoding_in="BASE64", content_out="application/json", encoding_out="JSON"),
        capture("9,9,9", "0.9", when="2024-05-01T11:00:01Z"),             # after the window: out
        capture("9,9,9", "0.9", when="2024-05-01T09:59:59Z")]))           # before it: out
    read = datasets.read(job(tmp_path, CAPTURE_FORMAT, start_time="2024-05-01T10:00:00Z",
                             end_time="2024-05-01T11:00:00Z"))
    assert read.positional
    assert read.frame.values.tolist() == [["0.5", "1", "2", "3"], ["0.7", "4", "5", "6"], [1.5, "7", "8", "9"]]


def test_a_record_preprocessor_makes_the_rows(tmp_path):
    write(tmp_path / "in/ep/v/2024/05/01/10/x.jsonl", "\n".join([capture("1,2", "3"), capture("-1,5", "0")]))
    write(tmp_path / "pre.py", "def preprocess_handler(inference_record, logger):\n"
                               "    first = inference_record.endpoint_input.data.split(',')[0]\n"
                               "    if first == '-1':\n        return []\n"
                               "    return {'first': first, 'answer': inference_record.endpoint_output.data}\n")
    read = datasets.read(job(tmp_path, CAPTURE_FORMAT, record_preprocessor_script=str(tmp_path / "pre.py")))
    assert not read.positional and read.frame.to_dict("records") == [{"first": "1", "answer": "3"}]


def run(tmp_path, **env) -> tuple[int, str]:
    message = tmp_path / f"message-{len(list(tmp_path.glob('message-*')))}"
    status = main({**env}, message_file=message)
    return status, message.read_text() if message.exists() else ""


def test_a_baseline_then_a_monitoring_execution(tmp_path):
    write(tmp_path / "train/train.csv", "label,x0,x1\n" + "".join(f"{i % 2},{i},{i * 2}\n" for i in range(40)))
    status, message = run(tmp_path, dataset_format=json.dumps({"csv": {"header": True}}),
                          dataset_source=str(tmp_path / "train"), output_path=str(tmp_path / "baseline"))
    assert (status, message) == (0, "")  # a baseline says nothing
    assert {p.name for p in (tmp_path / "baseline").iterdir()} == {"statistics.json", "constraints.json"}

    window = {"dataset_format": CAPTURE_FORMAT, "output_path": str(tmp_path / "report"),
              "baseline_constraints": str(tmp_path / "baseline/constraints.json"),
              "baseline_statistics": str(tmp_path / "baseline/statistics.json"),
              "start_time": "2024-05-01T10:00:00Z", "end_time": "2024-05-01T11:00:00Z",
              "publish_cloudwatch_metrics": "Disabled"}
    write(tmp_path / "clean/ep/v/2024/05/01/10/x.jsonl",
          "\n".join(capture(f"{i},{i * 2}", str(i % 2)) for i in range(40)))
    assert run(tmp_path, dataset_source=str(tmp_path / "clean"), **window) == (
        0, "Completed: Job completed successfully with no violations.")
    assert json.loads((tmp_path / "report/constraint_violations.json").read_text()) == {"violations": []}
    names = [f["name"] for f in json.loads((tmp_path / "report/statistics.json").read_text())["features"]]
    assert names == ["label", "x0", "x1"]  # the captured columns took the baseline's names

    write(tmp_path / "shifted/ep/v/2024/05/01/10/x.jsonl",
          "\n".join(capture(f"{i + 100},{i * 2}", "0.5") for i in range(40)))
    status, message = run(tmp_path, dataset_source=str(tmp_path / "shifted"), **window)
    found = json.loads((tmp_path / "report/constraint_violations.json").read_text())["violations"]
    assert {(v["feature_name"], v["constraint_check_type"]) for v in found} == {
        ("label", "data_type_check"), ("label", "baseline_drift_check"), ("x0", "baseline_drift_check")}
    assert (status, message) == (0, "CompletedWithViolations: Job completed successfully with 3 violations.")

    # EndpointInput.ExcludeFeaturesAttribute: by name or by position, out of the data and the checks.
    assert run(tmp_path, dataset_source=str(tmp_path / "shifted"), exclude_features_attribute="label, 1",
               **window) == (0, "Completed: Job completed successfully with no violations.")
    names = [f["name"] for f in json.loads((tmp_path / "report/statistics.json").read_text())["features"]]
    assert names == ["x1"]


def test_a_window_without_data_fails_the_job_saying_so(tmp_path):
    write(tmp_path / "in/ep/v/2024/05/01/10/x.jsonl", capture("1", "2", when="2024-05-01T08:00:00Z"))
    write(tmp_path / "c.json", '{"features": []}')
    assert run(tmp_path, dataset_format=CAPTURE_FORMAT, dataset_source=str(tmp_path / "in"),
               output_path=str(tmp_path / "out"), baseline_constraints=str(tmp_path / "c.json"),
               start_time="2024-05-01T10:00:00Z", end_time="2024-05-01T11:00:00Z") == (1, "Error: Job inputs had no data")


def test_a_model_quality_baseline(tmp_path):
    write(tmp_path / "in/v.csv", "prediction,probability,label\n" + "".join(
        f"{int(p > 0.5)},{p},{t}\n" for p, t in ((0.9, 1), (0.2, 0), (0.7, 0), (0.4, 1), (0.8, 1))))
    status, _ = run(tmp_path, dataset_format=json.dumps({"csv": {"header": True}}),
                    dataset_source=str(tmp_path / "in"), output_path=str(tmp_path / "out"),
                    analysis_type="MODEL_QUALITY", problem_type="BinaryClassification",
                    inference_attribute="prediction", probability_attribute="probability",
                    ground_truth_attribute="label")
    assert status == 0
    statistics = json.loads((tmp_path / "out/statistics.json").read_text())
    assert statistics["dataset"]["item_count"] == 5
    assert statistics["binary_classification_metrics"]["accuracy"]["value"] == pytest.approx(0.6)
    constraints = json.loads((tmp_path / "out/constraints.json").read_text())
    assert constraints["binary_classification_constraints"]["accuracy"] == {
        "threshold": pytest.approx(0.6), "comparison_operator": "LessThanThreshold"}


def test_environment_errors_name_the_variable():
    with pytest.raises(JobError, match="dataset_source must be set"):
        Job.from_environment({"dataset_format": "{}", "output_path": "/x"})
    with pytest.raises(JobError, match="problem_type must be one of"):
        Job.from_environment({"dataset_format": '{"csv": {}}', "dataset_source": "/x", "output_path": "/y",
                              "analysis_type": "MODEL_QUALITY"})
