from emulator.aws import routing


def auth(service, region="eu-west-1"):
    return f"AWS4-HMAC-SHA256 Credential=AKID/20261124/{region}/{service}/aws4_request, SignedHeaders=host, Signature=x"


def test_signing_name_decides_the_service():
    assert routing.route("/", auth("sagemaker"), "") == routing.SAGEMAKER
    assert routing.route("/my-bucket/key", auth("s3"), "") == routing.S3
    for name in ("logs", "monitoring"):
        assert routing.route("/", auth(name), "") == routing.MOTO
    for name in ("sts", "iam"):
        assert routing.route("/", auth(name), "") == routing.IDENTITY


def test_runtime_shares_the_signing_name_and_is_told_apart_by_path():
    assert routing.route("/endpoints/ep/invocations", auth("sagemaker"), "") == routing.SAGEMAKER_RUNTIME


def test_presigned_urls_unsigned_requests_and_emulator_paths():
    query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20261124%2Fus-east-1%2Fs3%2Faws4_request"
    assert routing.route("/b/k", "", query) == routing.S3
    assert routing.credential_scope("", query) == ("us-east-1", "s3")
    assert routing.route("/b/k", "", "") == routing.S3
    assert routing.route("/b/k", "", "", "GET") == routing.S3
    assert routing.route("/", "", "", "GET") == routing.CONSOLE
    assert routing.route("/", "", "list-type=2", "GET") == routing.S3
    assert routing.route("/", auth("s3"), "", "GET") == routing.S3
    assert routing.route("/_emulator/health", auth("sagemaker"), "") == routing.EMULATOR
    assert routing.route("/", auth("dynamodb"), "") is None
    assert routing.credential_scope(auth("s3"), "") == ("eu-west-1", "s3")
