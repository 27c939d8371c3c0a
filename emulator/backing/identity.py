"""STS and IAM as a local SageMaker user's code needs them, in front of moto's.

The emulator enforces no IAM, but the SageMaker Python SDK 3.x resolves and checks a role
before every job: GetCallerIdentity (which role am I?), GetRole (does it exist, does its trust
policy let sagemaker.amazonaws.com assume it?) and SimulatePrincipalPolicy (may it act?).
On AWS the user's own account answers those; here:

- the caller is always a session of EXECUTION_ROLE, the role the emulator provides;
- every role named in the emulator's account exists: one not yet in moto's IAM is made on
  its first GetRole, trusted by SageMaker, so a role ARN copied from AWS works unchanged;
- every action is allowed (SimulatePrincipalPolicy, which moto lacks, says "allowed").

Every other STS and IAM request goes to moto as it came.
"""

import io
import json
import urllib.parse
import uuid
from xml.sax.saxutils import escape

from moto.iam.models import iam_backends

EXECUTION_ROLE = "SageMakerEmulatorExecutionRole"
SESSION_NAME = "sagemaker-emulator"
TRUST_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRole",
    "Principal": {"Service": ["sagemaker.amazonaws.com", "scheduler.amazonaws.com"]}}]})

_STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"
_IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/"


class IdentityFacade:
    """WSGI middleware: answers the three identity questions, passes the rest to moto."""

    def __init__(self, moto_app, account_id: str):
        self.moto_app = moto_app
        self.account_id = account_id

    def __call__(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)  # moto reads it again
        params = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        params.update(urllib.parse.parse_qs(environ.get("QUERY_STRING", "")))
        action = params.get("Action", [""])[0]
        if action == "GetCallerIdentity":
            return self._xml(start_response, action, _STS_NS, self._caller_identity())
        if action == "SimulatePrincipalPolicy":
            return self._xml(start_response, action, _IAM_NS, _all_allowed(params))
        if action == "GetRole" and params.get("RoleName"):
            self.ensure_role(params["RoleName"][0])
        return self.moto_app(environ, start_response)

    def ensure_role(self, name: str):
        """moto's role of that name, made first if there is none."""
        backend = iam_backends[self.account_id]["global"]
        existing = next((role for role in backend.get_roles() if role.name == name), None)
        return existing or backend.create_role(name, TRUST_POLICY, "/", None, "Provided by the SageMaker emulator",
                                               [], None)

    def _caller_identity(self) -> str:
        role_id = self.ensure_role(EXECUTION_ROLE).id
        arn = f"arn:aws:sts::{self.account_id}:assumed-role/{EXECUTION_ROLE}/{SESSION_NAME}"
        return (f"<UserId>{role_id}:{SESSION_NAME}</UserId><Account>{self.account_id}</Account>"
                f"<Arn>{arn}</Arn>")

    @staticmethod
    def _xml(start_response, action: str, namespace: str, result: str):
        body = (f'<{action}Response xmlns="{namespace}"><{action}Result>{result}</{action}Result>'
                f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata>"
                f"</{action}Response>").encode()
        start_response("200 OK", [("Content-Type", "text/xml"), ("Content-Length", str(len(body)))])
        return [body]


def _members(params: dict, name: str) -> list[str]:
    """Query-protocol lists arrive as Name.member.1, Name.member.2, ..."""
    numbered = [(int(k.rsplit(".", 1)[1]), v[0]) for k, v in params.items() if k.startswith(f"{name}.member.")]
    return [value for _, value in sorted(numbered)]


def _all_allowed(params: dict) -> str:
    resources = _members(params, "ResourceArns") or ["*"]
    members = "".join(
        f"<member><EvalActionName>{escape(action)}</EvalActionName>"
        f"<EvalResourceName>{escape(resource)}</EvalResourceName><EvalDecision>allowed</EvalDecision>"
        "<MatchedStatements/><MissingContextValues/></member>"
        for action in _members(params, "ActionNames") for resource in resources)
    return f"<EvaluationResults>{members}</EvaluationResults><IsTruncated>false</IsTruncated>"
