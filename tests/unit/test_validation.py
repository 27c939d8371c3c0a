import pytest

from emulator.aws.errors import SerializationException, ValidationException
from emulator.aws.specs import operation_model
from emulator.aws.validation import validate

SHAPE = operation_model("sagemaker", "CreateTrainingJob").input_shape


def good():
    return {"TrainingJobName": "ok-name-1", "RoleArn": "arn:aws:iam::123456789012:role/r",
            "AlgorithmSpecification": {"TrainingImage": "img", "TrainingInputMode": "File"},
            "OutputDataConfig": {"S3OutputPath": "s3://b/o"},
            "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 1},
            "Tags": [{"Key": "team name", "Value": "ml/é"}]}


def message_for(request):
    with pytest.raises(ValidationException) as info:
        validate(request, SHAPE)
    return info.value.message


def test_a_good_request_passes():
    validate(good(), SHAPE)


def test_pattern_max_and_enum_use_aws_wording_and_count():
    request = good()
    request["TrainingJobName"] = "-starts-with-dash"
    request["AlgorithmSpecification"]["TrainingInputMode"] = "Bogus"
    msg = message_for(request)
    assert msg.startswith("2 validation errors detected: ")
    assert ("Value '-starts-with-dash' at 'trainingJobName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern") in msg
    assert "at 'algorithmSpecification.trainingInputMode'" in msg and "[Pipe, File, FastFile]" in msg


def test_missing_required_member_is_named():
    request = good()
    del request["RoleArn"]
    assert message_for(request) == ("1 validation error detected: Value null at 'roleArn' failed "
                                    "to satisfy constraint: Member must not be null")


def test_list_members_are_numbered():
    request = good()
    request["InputDataConfig"] = [{"ChannelName": "bad channel!", "DataSource": {
        "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://b/p"}}}]
    assert "at 'inputDataConfig.member.1.channelName'" in message_for(request)


def test_file_uris_are_the_one_extension():
    request = good()
    request["InputDataConfig"] = [{"ChannelName": "c", "DataSource": {
        "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "file:///data"}}}]
    validate(request, SHAPE)
    request["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"] = "ftp://x/y"
    assert "s3Uri" in message_for(request)


def test_wrong_json_types_are_a_serialization_error():
    request = good()
    request["ResourceConfig"]["InstanceCount"] = "one"
    with pytest.raises(SerializationException):
        validate(request, SHAPE)
    with pytest.raises(SerializationException):
        validate(["not", "an", "object"], SHAPE)
