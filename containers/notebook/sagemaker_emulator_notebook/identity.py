"""Who may use this JupyterLab: a browser that came through one of the emulator's presigned URLs.

As on SageMaker, where a notebook instance's Jupyter is reached only through
CreatePresignedNotebookInstanceUrl (CreatePresignedDomainUrl for a Studio space): a request
whose `authToken` checks out (signin.py) starts a session, kept in a cookie signed with this
app's secret for the URL's session length; any other request without that cookie is refused
(an API call with 403; a page goes to /login, which says with 403 how to get in: there is no
login form, and no Jupyter token to type). Jupyter's own checks stay on: the Host must be a
loopback name or address (allow_remote_access off, against DNS rebinding), and a request from
another origin is refused, since no request is ever token-authenticated.
"""

import json
import re
import time
from pathlib import Path

from jupyter_server.auth.decorator import allow_unauthenticated
from jupyter_server.auth.identity import IdentityProvider, User
from jupyter_server.base.handlers import JupyterHandler
from traitlets import Unicode, default

from . import signin


class SignInRequiredHandler(JupyterHandler):
    """Where Jupyter sends a page request without a session: a refusal that says how to get one."""

    @allow_unauthenticated
    def get(self):
        self.set_status(403)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish("Sign in through a presigned URL: the console's Open JupyterLab, or the URL "
                    "CreatePresignedNotebookInstanceUrl (CreatePresignedDomainUrl for a Studio space) answers. "
                    "A URL works for 5 minutes (or its ExpiresInSeconds).\n")


class PresignedUrlIdentityProvider(IdentityProvider):
    key_file = Unicode(config=True, help="The app's signing key, written by the emulator.")
    resource = Unicode(config=True, help="What the URLs name: the notebook instance or the space.")
    username = Unicode("ec2-user", config=True, help="Who the user is inside the container.")

    @default("need_token")
    def _need_token_default(self):
        return False  # no Jupyter token: the presigned URL is the only way in

    @property
    def login_available(self) -> bool:
        return False  # no login form: /login is SignInRequiredHandler

    def get_handlers(self) -> list:
        return [*super().get_handlers(), (r"/login", SignInRequiredHandler)]

    def _key(self) -> bytes:
        return Path(self.key_file).read_bytes()

    def get_cookie_name(self, handler) -> str:
        # Cookies are shared by every port of 127.0.0.1: one name per app, not per host:port.
        return "sagemaker-emulator-" + re.sub(r"[^A-Za-z0-9-]", "-", self.resource)

    def _user(self) -> User:
        return User(self.username, self.username, self.username, self.username[:1].upper(), None, None)

    def get_user(self, handler):
        now = time.time()
        token = handler.get_argument("authToken", "")
        session = signin.verify(self._key(), token, self.resource, now) if token else None
        if session is not None:
            until = now + session
            handler.set_secure_cookie(self.get_cookie_name(handler), json.dumps({"until": until}),
                                      expires=until, httponly=True, samesite="Lax", path=handler.base_url)
            return self._user()
        cookie = handler.get_secure_cookie(self.get_cookie_name(handler), max_age_days=1)
        try:
            if cookie and json.loads(cookie)["until"] > now:
                return self._user()
        except (ValueError, KeyError, TypeError):
            pass
        return None

    def validate_security(self, app, ssl_options=None) -> None:
        """Jupyter warns when it listens on every address: here that is the container's own
        network namespace, whose port is published on the host's loopback only."""
