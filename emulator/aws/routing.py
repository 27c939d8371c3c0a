"""Which service a request is for, decided from data tables (LocalStack's approach).

Order: the emulator's own paths; then the SigV4 signing name from the Authorization
header (or X-Amz-Credential of a presigned URL); then, for the one signing name two
services share ("sagemaker"), the path; an unsigned GET of "/" is a browser opening the
console (S3 would refuse an anonymous ListBuckets anyway); other unsigned requests go to S3
(anonymous GETs and browser downloads of presigned objects).
"""

import re

# Services this process serves itself, by the name a route resolves to.
SAGEMAKER = "sagemaker"
SAGEMAKER_RUNTIME = "sagemaker-runtime"
S3 = "s3"
MOTO = "moto"  # CloudWatch Logs, CloudWatch, SQS: served by moto in-process
IDENTITY = "identity"  # STS, IAM: moto behind the emulator's identity answers
EMULATOR = "emulator"  # /_emulator/...: health and the console's files
CONSOLE = "console"  # GET / from a browser: the web console's page

SIGNING_NAME_ROUTES = {
    "sagemaker": SAGEMAKER,
    "s3": S3,
    "logs": MOTO,
    "monitoring": MOTO,
    "sqs": MOTO,  # the queues pipelines' callback steps send to
    "sts": IDENTITY,
    "iam": IDENTITY,
}

# Per signing name, path prefixes that belong to another API signed under the same name.
PATH_RULES = {
    "sagemaker": [("/endpoints/", SAGEMAKER_RUNTIME)],
}

EMULATOR_PREFIX = "/_emulator/"

_CREDENTIAL = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")
_QUERY_CREDENTIAL = re.compile(r"X-Amz-Credential=[^&%]+(?:/|%2F)\d{8}(?:/|%2F)([^/&%]+)(?:/|%2F)([^/&%]+)")


def credential_scope(authorization: str, query: str) -> tuple[str, str] | None:
    """(region, signing name) from a SigV4 header or presigned query, else None."""
    match = _CREDENTIAL.search(authorization or "") or _QUERY_CREDENTIAL.search(query or "")
    return (match.group(1), match.group(2)) if match else None


def route(path: str, authorization: str, query: str, method: str = "POST") -> str | None:
    """The service name a request goes to; None when it names a service we do not serve."""
    if path.startswith(EMULATOR_PREFIX):
        return EMULATOR
    scope = credential_scope(authorization, query)
    if scope is None:
        return CONSOLE if (method, path, query) == ("GET", "/", "") else S3
    signing_name = scope[1]
    for prefix, service in PATH_RULES.get(signing_name, []):
        if path.startswith(prefix):
            return service
    return SIGNING_NAME_ROUTES.get(signing_name)

