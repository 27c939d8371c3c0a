"""The sign-in tokens of the emulator's presigned URLs, as this side checks them.

CreatePresignedNotebookInstanceUrl and CreatePresignedDomainUrl answer a URL whose `authToken`
is `<claims>.<signature>`: the claims are base64url JSON (`resource`, the instance or space it
opens; `use_by`, when the URL stops working: AWS's URLs work for 5 minutes, or ExpiresInSeconds;
`session`, how long the sign-in lasts: SessionExpirationDurationInSeconds), the signature an
HMAC-SHA256 of the claims' text with the app's key, which only the emulator and this container
hold. The emulator's side (emulator/sagemaker/notebooks/signin.py) makes them. Standard library
only: the host's tests import this module without Jupyter.
"""

import base64
import binascii
import hashlib
import hmac
import json


def _unpadded(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def verify(key: bytes, token: str, resource: str, now: float) -> int | None:
    """The session's length in seconds when the token is the emulator's, for this resource, and
    still usable at `now`; else None."""
    claims_text, _, signature = token.partition(".")
    try:
        expected = hmac.new(key, claims_text.encode("ascii"), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unpadded(signature)):
            return None
        claims = json.loads(_unpadded(claims_text))
    except (UnicodeEncodeError, binascii.Error, ValueError):
        return None
    if not isinstance(claims, dict) or claims.get("resource") != resource:
        return None
    use_by, session = claims.get("use_by"), claims.get("session")
    if not isinstance(use_by, (int, float)) or not isinstance(session, int) or now > use_by:
        return None
    return session


def cookie_secret(key: bytes) -> bytes:
    """What signs the session cookie: from the key, so a session outlives the container (a Stop and
    Start, an emulator restart) as it lasts on AWS, and is worth nothing to another app."""
    return hmac.new(key, b"jupyter session cookie", hashlib.sha256).digest()
