"""Pipeline expressions evaluated as SageMaker evaluates them: parameters, execution variables,
step property paths against Describe answers, Std:Join, Std:JsonGet over property files, and
every condition type."""

import json

import pytest

from emulator.sagemaker.workflows.pipelines.expressions import (ExpressionError, PropertyPath, Scope, all_hold,
                                                                evaluate, holds, render)

PROCESSING = {  # a DescribeProcessingJob answer, as a processing step's properties
    "ProcessingJobName": "pipelines-abc-Prep-x", "ProcessingJobStatus": "Completed",
    "ProcessingInputs": [{"InputName": "code", "S3Input": {"S3Uri": "s3://b/code/prep.py"}}],
    "ProcessingOutputConfig": {"Outputs": [
        {"OutputName": "train", "S3Output": {"S3Uri": "s3://b/exec/train"}},
        {"OutputName": "metrics", "S3Output": {"S3Uri": "s3://b/exec/metrics/"}}]}}
TRAINING = {"TrainingJobName": "t", "ModelArtifacts": {"S3ModelArtifacts": "s3://b/model.tar.gz"},
            "HyperParameters": {"batch-size": "500"},
            "FinalMetricDataList": [{"MetricName": "loss", "Value": 0.25}, {"MetricName": "acc", "Value": 0.9}]}
FILES = {"s3://b/exec/metrics/report.json": {"metrics": {"accuracy": {"value": 0.87}, "by_class": [0.8, 0.9]}}}


def read_json(uri):
    if uri not in FILES:
        raise ExpressionError(f"the property file {uri} does not exist")
    return FILES[uri]


@pytest.fixture
def scope():
    return Scope(parameters={"Threshold": 0.8, "Count": 2, "Flag": True, "Mode": "fast"},
                 variables={"PipelineExecutionId": "abc123", "PipelineName": "churn", "CurrentDateTime": lambda: "now"},
                 experiment={"ExperimentName": "churn"},
                 properties={"Prep": PROCESSING, "Train": TRAINING, "Check": {"Outcome": False},
                             "Cb": {"OutputParameters": {"n": 3}}},
                 property_files={"Prep": {"Report": {"PropertyFileName": "Report", "OutputName": "metrics",
                                                     "FilePath": "report.json"}}},
                 read_json=read_json)


def get(reference):
    return {"Get": reference}


@pytest.mark.parametrize("reference, value", [
    ("Parameters.Threshold", 0.8),
    ("Parameters.Flag", True),
    ("Execution.PipelineExecutionId", "abc123"),
    ("Execution.CurrentDateTime", "now"),
    ("PipelineExperimentConfig.ExperimentName", "churn"),
    ("Steps.Prep.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri", "s3://b/exec/train"),
    ("Steps.Prep.ProcessingOutputConfig.Outputs[1].S3Output.S3Uri", "s3://b/exec/metrics/"),
    ("Steps.Prep.ProcessingInputs['code'].S3Input.S3Uri", "s3://b/code/prep.py"),
    ("Steps.Train.ModelArtifacts.S3ModelArtifacts", "s3://b/model.tar.gz"),
    ("Steps.Train.HyperParameters['batch-size']", "500"),
    ("Steps.Train.FinalMetricDataList['acc'].Value", 0.9),
    ("Steps.Check.Outcome", False),
    ("Steps.Cb.OutputParameters['n']", 3),
])
def test_get_reads_parameters_variables_and_step_properties(scope, reference, value):
    assert evaluate(get(reference), scope) == value


@pytest.mark.parametrize("reference, words", [
    ("Steps.Ghost.ModelArtifacts", "step Ghost has not succeeded"),
    ("Steps.Train.ModelArtifacts.Missing", "no member Missing"),
    ("Steps.Prep.ProcessingOutputConfig.Outputs['nope'].S3Output.S3Uri", "no item named 'nope'"),
    ("Steps.Prep.ProcessingOutputConfig.Outputs[5]", "past the end"),
    ("Parameters.Unknown", "is not defined"),
])
def test_a_reference_that_cannot_be_read_says_why(scope, reference, words):
    with pytest.raises(ExpressionError) as error:
        evaluate(get(reference), scope)
    assert words in str(error.value)


def test_join_writes_values_as_aws_does(scope):
    joined = evaluate({"Std:Join": {"On": "/", "Values": [
        "s3:/", "bucket", get("Execution.PipelineExecutionId"), get("Parameters.Count"), get("Parameters.Threshold"),
        get("Steps.Check.Outcome"), get("Parameters.Flag")]}}, scope)
    assert joined == "s3://bucket/abc123/2/0.8/false/true"
    assert evaluate({"Std:Join": {"Values": [get("Parameters.Count")]}}, scope) == "2"  # ParameterInteger.to_string()


def test_json_get_reads_a_property_file_under_its_output(scope):
    accuracy = {"Std:JsonGet": {"PropertyFile": get("Steps.Prep.PropertyFiles.Report"),
                                "Path": "metrics.accuracy.value"}}
    assert evaluate(accuracy, scope) == 0.87
    second = {"Std:JsonGet": {"PropertyFile": get("Steps.Prep.PropertyFiles.Report"), "Path": "$.metrics.by_class[1]"}}
    assert evaluate(second, scope) == 0.9
    direct = {"Std:JsonGet": {"S3Uri": {"Std:Join": {"On": "/", "Values": ["s3://b/exec/metrics", "report.json"]}},
                              "Path": "metrics['accuracy'].value"}}
    assert evaluate(direct, scope) == 0.87


@pytest.mark.parametrize("spec, words", [
    ({"PropertyFile": get("Steps.Prep.PropertyFiles.Report"), "Path": "metrics.precision"}, "Invalid json path"),
    ({"PropertyFile": get("Steps.Prep.PropertyFiles.Other"), "Path": "a"}, "declares no property file Other"),
    ({"S3Uri": "s3://b/elsewhere.json", "Path": "a"}, "does not exist"),
])
def test_json_get_failures_name_the_file_and_path(scope, spec, words):
    with pytest.raises(ExpressionError) as error:
        evaluate({"Std:JsonGet": spec}, scope)
    assert words in str(error.value)


def test_expressions_nested_in_arguments_are_all_evaluated(scope):
    arguments = {"InputDataConfig": [{"ChannelName": "train", "DataSource": {"S3DataSource": {
        "S3Uri": get("Steps.Prep.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri")}}}],
        "ResourceConfig": {"InstanceCount": get("Parameters.Count")}, "Literal": [1, "two", None]}
    assert evaluate(arguments, scope) == {
        "InputDataConfig": [{"ChannelName": "train", "DataSource": {"S3DataSource": {"S3Uri": "s3://b/exec/train"}}}],
        "ResourceConfig": {"InstanceCount": 2}, "Literal": [1, "two", None]}


def comparison(kind, left, right):
    return {"Type": kind, "LeftValue": left, "RightValue": right}


@pytest.mark.parametrize("condition, expected", [
    (comparison("Equals", get("Parameters.Mode"), "fast"), True),
    (comparison("Equals", get("Parameters.Count"), 2.0), True),
    (comparison("Equals", get("Steps.Check.Outcome"), False), True),
    (comparison("GreaterThan", get("Parameters.Threshold"), 0.8), False),
    (comparison("GreaterThanOrEqualTo", get("Parameters.Threshold"), 0.8), True),
    (comparison("LessThan", get("Steps.Train.FinalMetricDataList['loss'].Value"), 0.3), True),
    (comparison("LessThanOrEqualTo", 3, get("Parameters.Count")), False),
    (comparison("GreaterThanOrEqualTo", get("Steps.Train.HyperParameters['batch-size']"), 6.0), True),  # text as number
    (comparison("LessThan", "apple", "banana"), True),
    ({"Type": "In", "QueryValue": get("Parameters.Mode"), "Values": ["slow", get("Parameters.Mode")]}, True),
    ({"Type": "In", "QueryValue": get("Parameters.Count"), "Values": [1, 3, "two"]}, False),
    ({"Type": "Not", "Condition": comparison("Equals", get("Parameters.Flag"), False)}, True),
    ({"Type": "Or", "Conditions": [comparison("Equals", 1, 2), comparison("Equals", "a", "a")]}, True),
    ({"Type": "Or", "Conditions": [comparison("Equals", 1, 2), comparison("Equals", "a", "b")]}, False),
    (comparison("GreaterThan", {"Std:JsonGet": {"PropertyFile": get("Steps.Prep.PropertyFiles.Report"),
                                                "Path": "metrics.accuracy.value"}}, get("Parameters.Threshold")), True),
])
def test_every_condition_type(scope, condition, expected):
    assert holds(condition, scope) is expected


def test_a_condition_steps_conditions_must_all_hold(scope):
    assert all_hold([comparison("Equals", 1, 1), comparison("Equals", 2, 2)], scope)
    assert not all_hold([comparison("Equals", 1, 1), comparison("Equals", 2, 3)], scope)
    assert all_hold([], scope)


@pytest.mark.parametrize("condition, words", [
    (comparison("Equals", get("Parameters.Mode"), True), "cannot be compared"),
    (comparison("GreaterThan", get("Parameters.Flag"), False), "compares numbers or strings"),
    ({"Type": "Xor"}, "Condition of type [Xor] is not supported"),
])
def test_conditions_that_cannot_be_evaluated_say_why(scope, condition, words):
    with pytest.raises(ExpressionError) as error:
        holds(condition, scope)
    assert words in str(error.value)


def test_property_paths_parse_every_form_and_check_against_botocore_shapes():
    from emulator.aws.specs import service_model
    shape = service_model("sagemaker").shape_for("DescribeProcessingJobResponse")
    path = PropertyPath.parse("ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri")

    assert path.segments == ("ProcessingOutputConfig", "Outputs", "train", "S3Output", "S3Uri")
    assert str(path) == "ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri"
    assert path.problem(shape) is None
    assert PropertyPath.parse('Environment["A"]').problem(shape) is None
    assert "has no member Nope" in PropertyPath.parse("AppSpecification.Nope").problem(shape)
    assert "not a list or map" in PropertyPath.parse("ProcessingJobName[0]").problem(shape)
    for bad in ("", "A..B", "A.", "['x']", "A['x']B"):
        with pytest.raises(ValueError):
            PropertyPath.parse(bad)


def test_render_is_text_as_aws_writes_it():
    assert [render(v) for v in (True, False, 3, 0.5, "x", {"a": 1})] == ["true", "false", "3", "0.5", "x",
                                                                          json.dumps({"a": 1})]
