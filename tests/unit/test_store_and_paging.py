import pytest

from emulator.aws.errors import ResourceInUse, ValidationException
from emulator.sagemaker.paging import page
from emulator.sagemaker.jobs.training import TRAINING_JOB, new_document, transition
from emulator.sagemaker.resources import Resources
from emulator.store import Store


def request(name):
    return {"TrainingJobName": name, "RoleArn": "arn:aws:iam::123456789012:role/r",
            "AlgorithmSpecification": {"TrainingImage": "i", "TrainingInputMode": "File"},
            "OutputDataConfig": {"S3OutputPath": "s3://b/o"},
            "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 1}}


def test_state_survives_reopening_and_duplicates_are_refused(tmp_path):
    jobs = Resources(Store(tmp_path / "s.db"), TRAINING_JOB)
    jobs.add(new_document(request("Job-A"), "us-east-1", "123456789012", 10.0))
    with pytest.raises(ResourceInUse):
        jobs.add(new_document(request("Job-A"), "us-east-1", "123456789012", 11.0))
    reopened = Resources(Store(tmp_path / "s.db"), TRAINING_JOB)
    doc = reopened.get("Job-A")
    assert doc["TrainingJobArn"] == "arn:aws:sagemaker:us-east-1:123456789012:training-job/job-a"
    assert doc["CreationTime"] == 10.0 and doc["StoppingCondition"]["MaxRuntimeInSeconds"] == 86400


def test_transitions_close_the_previous_one():
    doc = new_document(request("j"), "us-east-1", "1", 1.0)
    transition(doc, "Downloading", 2.0)
    transition(doc, "Failed", 3.0)
    assert doc["TrainingJobStatus"] == "Failed"
    assert [(t["Status"], t["StartTime"], t.get("EndTime")) for t in doc["SecondaryStatusTransitions"]] == [
        ("Starting", 1.0, 2.0), ("Downloading", 2.0, 3.0), ("Failed", 3.0, 3.0)]


def test_paging_round_trips_and_rejects_garbage():
    items = list(range(5))
    first, token = page(items, 2, None)
    second, token2 = page(items, 2, token)
    third, token3 = page(items, 2, token2)
    assert (first, second, third, token3) == ([0, 1], [2, 3], [4], None)
    with pytest.raises(ValidationException):
        page(items, 2, "garbage")


def test_all_sees_every_write_although_it_keeps_its_answers(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    store.insert("k", "a", {"CreationTime": 1.0, "v": 1})
    first = store.all("k")
    assert first == [{"CreationTime": 1.0, "v": 1}]
    first.append("a caller's own list")  # changes a caller's list, not what the store keeps
    assert store.all("k") == [{"CreationTime": 1.0, "v": 1}]
    store.update("k", "a", lambda d: d.update(v=2))
    store.insert("k", "b", {"CreationTime": 2.0, "v": 3})
    assert [d["v"] for d in store.all("k")] == [2, 3]
    store.delete("k", "a")
    assert [d["v"] for d in store.all("k")] == [3]
    store.insert_or_replace("k", "b", {"CreationTime": 2.0, "v": 4})
    assert [d["v"] for d in store.all("k")] == [4]
    assert Store(tmp_path / "s.sqlite3").all("k") == [{"CreationTime": 2.0, "v": 4}]


def test_names_match_without_regard_to_case(tmp_path):
    """As on SageMaker: a job is found by the lower-cased name its ARN carries, and a name that
    differs only in case is the same name."""
    jobs = Resources(Store(tmp_path / "s.db"), TRAINING_JOB)
    jobs.add(new_document(request("Train-Job"), "us-east-1", "123456789012", 10.0))
    assert jobs.get("train-job")["TrainingJobName"] == "Train-Job"
    with pytest.raises(ResourceInUse):
        jobs.add(new_document(request("TRAIN-JOB"), "us-east-1", "123456789012", 11.0))
    jobs.update("train-JOB", lambda d: d.update(TrainingJobStatus="Completed"))
    assert [d["TrainingJobStatus"] for d in jobs.all()] == ["Completed"]
    jobs.remove("train-job")
    assert jobs.find("Train-Job") is None and jobs.all() == []
