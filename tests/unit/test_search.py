"""SearchExpression semantics over training job documents."""

import pytest

from emulator.aws.errors import ValidationException
from emulator.sagemaker.search import matches, sort_key

JOB = {"TrainingJobName": "mnist-7", "TrainingJobStatus": "Completed", "CreationTime": 1_700_000_000.0,
       "HyperParameters": {"epochs": "5"}, "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 2},
       "InputDataConfig": [{"ChannelName": "train", "InputMode": "File"}, {"ChannelName": "test"}],
       "Tags": [{"Key": "team", "Value": "vision"}]}


def where(*filters, **expression):
    return {"Filters": [dict(zip(("Name", "Operator", "Value"), f)) for f in filters], **expression}


@pytest.mark.parametrize("expression, expected", [
    (where(("TrainingJobStatus", "Equals", "Completed")), True),
    (where(("ResourceConfig.InstanceType", "NotEquals", "ml.m5.large")), False),
    (where(("ResourceConfig.InstanceCount", "GreaterThanOrEqualTo", "2")), True),
    (where(("CreationTime", "LessThan", "2023-11-14T22:13:21Z")), True),   # 1 s after it
    (where(("CreationTime", "GreaterThan", "2023-11-14T22:13:21+00:00")), False),
    (where(("TrainingJobName", "Contains", "nist")), True),
    (where(("HyperParameters.epochs", "In", "3, 5")), True),
    (where(("HyperParameters.lr", "Exists", None)), False),
    (where(("Tags.team", "Equals", "vision")), True),
    (where(("Tags.owner", "Exists", None)), False),
    (where(("HyperParameters.lr", "NotExists", None)), True),
    (where(("TrainingJobName", "Equals", "x"), ("TrainingJobStatus", "Equals", "Completed"), Operator="Or"), True),
    (where(("TrainingJobName", "Equals", "x"), ("TrainingJobStatus", "Equals", "Completed")), False),
    ({"NestedFilters": [{"NestedPropertyName": "InputDataConfig", "Filters": [
        {"Name": "InputDataConfig.ChannelName", "Operator": "Equals", "Value": "test"}]}]}, True),
    ({"SubExpressions": [where(("TrainingJobName", "Equals", "x")), where(("TrainingJobName", "Equals", "mnist-7"))],
      "Operator": "Or"}, True),
])
def test_filters(expression, expected):
    for f in expression.get("Filters", []):
        if f["Value"] is None:
            del f["Value"]
    assert matches(JOB, expression) is expected


def test_bad_values_are_validation_errors():
    with pytest.raises(ValidationException, match="tomorrow"):
        matches(JOB, where(("CreationTime", "GreaterThan", "tomorrow")))
    with pytest.raises(ValidationException, match="needs a Value"):
        matches(JOB, {"Filters": [{"Name": "TrainingJobName", "Operator": "Equals"}]})


def test_sort_puts_documents_without_the_property_together():
    docs = [{"n": 2}, {}, {"n": 1}]
    assert sorted(docs, key=sort_key("n")) == [{"n": 1}, {"n": 2}, {}]
