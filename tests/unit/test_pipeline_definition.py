"""A pipeline definition's checks and its DAG: what waits for what (DependsOn, data references,
a condition's branches), the order steps can run in, and the definitions refused with the
problem named. Definitions are written as the SDK 2.x writes them."""

import pytest

from emulator.aws.errors import ValidationException
from emulator.sagemaker.workflows.pipelines.definition import DefinitionError, parse

import pipeline_steps as steps


def processing(name: str, uri="s3://bucket/in", **extra) -> dict:
    return steps.processing(name, "image:1", inputs=[("in", uri, "/opt/ml/processing/in")],
                            outputs=[("train", "s3://bucket/out", "/opt/ml/processing/train")], **extra)


def training(name: str, uri="s3://bucket/train", **extra) -> dict:
    return steps.training(name, "image:1", "s3://bucket/models", channels=[("train", uri)], **extra)


def pipeline(*items, parameters=()) -> str:
    return steps.definition(*items, parameters=parameters)


def refused(text: str) -> str:
    with pytest.raises(DefinitionError) as error:
        parse(text)
    assert isinstance(error.value, ValidationException)
    return error.value.message


def test_data_references_and_depends_on_order_the_steps():
    output = {"Get": "Steps.Prep.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri"}
    definition = parse(pipeline(
        training("Train", uri=output),                     # listed first, but reads Prep's output
        processing("Report", DependsOn=["Train"]),
        processing("Prep"),
        processing("Alone")))

    assert definition.upstream == {"Train": {"Prep"}, "Report": {"Train"}, "Prep": set(), "Alone": set()}
    order = list(definition.steps)
    assert order.index("Prep") < order.index("Train") < order.index("Report")
    assert sorted(order) == ["Alone", "Prep", "Report", "Train"]


def test_a_conditions_branches_wait_for_it_and_for_what_they_read():
    accuracy = {"Std:JsonGet": {"PropertyFile": {"Get": "Steps.Eval.PropertyFiles.Metrics"}, "Path": "acc"}}
    condition = {"Name": "Check", "Type": "Condition", "Arguments": {
        "Conditions": [{"Type": "GreaterThan", "LeftValue": accuracy, "RightValue": 0.5}],
        "IfSteps": [training("Train", uri=steps.output_uri("Eval", "train"))],
        "ElseSteps": [{"Name": "Stop", "Type": "Fail", "Arguments": {"ErrorMessage": "low"}}]}}
    definition = parse(pipeline(condition, processing("Eval", PropertyFiles=[
        {"PropertyFileName": "Metrics", "OutputName": "train", "FilePath": "m.json"}])))

    assert definition.upstream == {"Check": {"Eval"}, "Train": {"Check", "Eval"}, "Stop": {"Check"}, "Eval": set()}
    assert list(definition.steps) == ["Eval", "Check", "Train", "Stop"]
    assert definition.branch_of("Check", "IfSteps") == ["Train"]
    assert (definition.steps["Train"].parent, definition.steps["Train"].branch) == ("Check", "IfSteps")


def test_a_cycle_is_refused_with_its_path():
    message = refused(pipeline(processing("A", DependsOn=["C"]), processing("B", DependsOn=["A"]),
                               processing("C", uri={"Get": "Steps.B.ProcessingJobArn"})))
    assert "cycle" in message
    assert "A -> C -> B -> A" in message


@pytest.mark.parametrize("text, words", [
    ("not json", "not valid JSON"),
    ("[1, 2]", "must be a JSON object"),
    (pipeline(processing("A"), processing("A")), "'A' is used twice"),
    (pipeline(processing("bad name!")), "must match"),
    (pipeline({"Name": "A", "Type": "Teleport"}), "Type 'Teleport'"),
    (pipeline(processing("A", DependsOn=["Nope"])), "depends on 'Nope'"),
    (pipeline(processing("A", DependsOn=["A"])), "depends on itself"),
    (pipeline(processing("A", uri={"Get": "Parameters.Missing"})), "Parameters.Missing"),
    (pipeline(processing("A", uri={"Get": "Execution.Tomorrow"})), "Execution.Tomorrow"),
    (pipeline(processing("A", uri={"Get": "Steps.Ghost.ProcessingJobArn"})), "no step named 'Ghost'"),
    (pipeline(processing("A"), training("T", uri={"Get": "Steps.A.ProcessingOutputConfig.Output"})),
     "ProcessingOutputConfig has no member Output"),
    (pipeline(training("T"), processing("A", uri={"Get": "Steps.T.ModelArtifacts.S3ModelArtifacts.Deeper"})),
     "no member Deeper"),
    (pipeline(processing("A"), training("T", uri={"Get": "Steps.A.PropertyFiles.Nope"})), "no property file"),
    (pipeline(processing("A", uri="s3://x", CacheConfig={"Enabled": True, "ExpireAfter": "soon"})),
     "not an ISO 8601 duration"),
    (pipeline(processing("A", RetryPolicies=[{"ExceptionType": ["Step.WHATEVER"], "MaxAttempts": 1}])),
     "ExceptionType"),
    (pipeline(processing("A", RetryPolicies=[{"ExceptionType": ["Step.THROTTLING"]}])),
     "exactly one of MaxAttempts and ExpireAfterMin"),
    (pipeline(processing("A"), parameters=[{"Name": "N", "Type": "Integer", "DefaultValue": "1"}]),
     "DefaultValue of parameter 'N' is not a Integer"),
    (pipeline(processing("A"), parameters=[{"Name": "N", "Type": "Decimal"}]), "Type 'Decimal'"),
])
def test_definitions_the_service_refuses_name_the_problem(text, words):
    assert words in refused(text)


def test_nothing_may_depend_on_a_fail_step():
    fail = {"Name": "FailStep", "Type": "Fail", "Arguments": {"ErrorMessage": "no"}}
    assert "CondStep can not depends on FailStep" in refused(pipeline(
        fail, {"Name": "CondStep", "Type": "Condition", "DependsOn": ["FailStep"],
               "Arguments": {"Conditions": [], "IfSteps": [], "ElseSteps": []}}))


def test_property_paths_of_every_form_the_sdk_writes_are_accepted():
    callback = {"Name": "Cb", "Type": "Callback", "Arguments": {}, "SqsQueueUrl": "http://q/1/q",
                "OutputParameters": [{"OutputName": "out", "OutputType": "String"}]}
    reads = ["Steps.T.ModelArtifacts.S3ModelArtifacts", "Steps.T.HyperParameters['batch-size']",
             "Steps.T.FinalMetricDataList['loss'].Value",
             "Steps.P.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri",
             "Steps.P.ProcessingInputs[0].S3Input.S3Uri", "Steps.Cb.OutputParameters['out']", "Steps.C.Outcome",
             "Steps.Tune.TrainingJobSummaries[0].TrainingJobName", "Steps.Tune.BestTrainingJob.TrainingJobName"]
    tuning = {"Name": "Tune", "Type": "Tuning", "Arguments": {}}
    condition = {"Name": "C", "Type": "Condition", "Arguments": {"Conditions": [], "IfSteps": [], "ElseSteps": []}}
    reader = {"Name": "Fail", "Type": "Fail",
              "Arguments": {"ErrorMessage": {"Std:Join": {"On": " ", "Values": [{"Get": r} for r in reads]}}}}

    definition = parse(pipeline(training("T"), processing("P"), callback, tuning, condition, reader))

    assert definition.upstream["Fail"] == {"T", "P", "Cb", "Tune", "C"}


def test_parameters_take_their_type_and_default():
    definition = parse(pipeline(processing("A"), parameters=[
        {"Name": "Count", "Type": "Integer", "DefaultValue": 2}, {"Name": "Rate", "Type": "Float"},
        {"Name": "Flag", "Type": "Boolean", "DefaultValue": False},
        {"Name": "Mode", "Type": "String", "DefaultValue": "fast", "EnumValues": ["fast", "slow"]}]))

    assert definition.values({"Rate": "0.25", "Flag": "True"}) == {"Count": 2, "Rate": 0.25, "Flag": True,
                                                                    "Mode": "fast"}
    for given, words in [({}, "'Rate' has no DefaultValue"), ({"Rate": "x"}, "'x' of parameter 'Rate' is not a Float"),
                         ({"Rate": "1", "Mode": "medium"}, "EnumValues"), ({"Rate": "1", "Other": "1"}, "'Other'")]:
        with pytest.raises(ValidationException) as error:
            definition.values(given)
        assert words in error.value.message
