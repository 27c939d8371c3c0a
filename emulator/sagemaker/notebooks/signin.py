"""The presigned URLs' sign-in tokens, as the emulator makes them (the notebook image checks
them: containers/notebook/sagemaker_emulator_notebook/signin.py, which says the format).

Each app (a notebook instance, a Studio app) has a key of its own, made when the resource is
and kept in its stored document (never in an answer); the container gets it in its files.
"""

import base64
import hashlib
import hmac
import json
import secrets

URL_LIFETIME_SECONDS = 300       # CreatePresignedNotebookInstanceUrl: "valid only for 5 minutes"
DEFAULT_SESSION_SECONDS = 43200  # SessionExpirationDurationInSeconds when not given (12 hours)


def new_key() -> str:
    return secrets.token_hex(32)


def _unpadded(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def token(key: str, resource: str, use_by: float, session_seconds: int) -> str:
    claims = _unpadded(json.dumps({"resource": resource, "use_by": use_by, "session": session_seconds},
                                  separators=(",", ":")).encode())
    signature = hmac.new(bytes.fromhex(key), claims.encode("ascii"), hashlib.sha256).digest()
    return f"{claims}.{_unpadded(signature)}"
