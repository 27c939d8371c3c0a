"""Browser-origin and DNS-rebinding protection, as Jupyter's server does it (check_host,
check_origin): the emulator runs training code it is handed, so a web page the user happens
to open must not be able to drive it.

- Host: a page on a name the attacker controls can re-point that name at 127.0.0.1 (DNS
  rebinding); its requests then still carry that name in Host. Only loopback names and
  addresses, the address the emulator listens on, the Docker bridge's (job containers call
  host.docker.internal) and names the user allowed pass.
- Origin: browsers name the page behind every cross-site request in Origin. Requests without
  one (SDKs, the CLI, curl, links) pass; with one, only the emulator's own origin and those the
  user allowed. Preflights are answered here, so no backend's `Access-Control-Allow-Origin: *`
  ever reaches a foreign page.

Refusals are 403 AccessDenied in the shape the caller's protocol expects, saying how to allow.
"""

import ipaddress
import json
import logging
import re
import uuid
from xml.sax.saxutils import escape

from . import routing

log = logging.getLogger(__name__)

ANY = "*"
ALLOW_HOSTS_ENV = "SAGEMAKER_EMULATOR_ALLOW_HOSTS"
ALLOW_ORIGINS_ENV = "SAGEMAKER_EMULATOR_ALLOW_ORIGINS"
# Names every emulator answers to: loopback (RFC 6761 reserves *.localhost for it) and the name
# Docker gives job containers for this host.
LOCAL_NAMES = ("localhost", "host.docker.internal")
PREFLIGHT_MAX_AGE = "600"
_DEFAULT_PORTS = {"http": "80", "https": "443"}
_HOST_PORT = re.compile(r"^(.*?)(:\d*)?$")


def host_name(host_header: str) -> str:
    """The Host header's name or address: port and IPv6 brackets stripped, lowercased."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host[1:]
    if host.count(":") > 1:  # a bare IPv6 address, no port
        return host
    return _HOST_PORT.match(host).group(1).rstrip(".")


def _ip(value: str):
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def normalized_origin(origin: str) -> str:
    """scheme://host[:port], lowercased, without a trailing slash or the scheme's default port."""
    origin = origin.strip().lower().rstrip("/")
    scheme, sep, netloc = origin.partition("://")
    if sep and netloc.endswith(":" + _DEFAULT_PORTS.get(scheme, "-")):
        netloc = netloc.rsplit(":", 1)[0]
    return f"{scheme}{sep}{netloc}"


class OriginGuard:
    """Decides which requests may reach the emulator, and answers browsers' preflights."""

    def __init__(self, listen_host: str, allow_hosts=(), allow_origins=()):
        self.any_host = ANY in allow_hosts
        self.any_origin = ANY in allow_origins
        self.names = set(LOCAL_NAMES)
        self.addresses = set()
        # Bound to every address (0.0.0.0, ::): an address literal names one of ours; a
        # rebinding attack always arrives under a name, and names are still checked.
        listen_address = _ip(host_name(listen_host))
        self.any_address = listen_address is not None and listen_address.is_unspecified
        for host in (listen_host, *allow_hosts):
            self.allow_host(host)
        self.origins = {normalized_origin(o) for o in allow_origins if o != ANY}

    def allow_host(self, host: str) -> None:
        """Also accept this name or address in Host (the Docker bridge's gateway, once known)."""
        name = host_name(host)
        address = _ip(name)
        if address is not None:
            self.addresses.add(address)
        elif name and name != ANY:
            self.names.add(name)

    def host_allowed(self, host_header: str | None) -> bool:
        if self.any_host or not host_header:  # no Host: HTTP/1.0 tools, never a browser
            return True
        name = host_name(host_header)
        address = _ip(name)
        if address is not None:
            return address.is_loopback or self.any_address or address in self.addresses
        return name in self.names or name.endswith(".localhost")

    def origin_allowed(self, origin: str | None, scheme: str, host_header: str | None) -> bool:
        """No Origin: not a browser's cross-site request. Else ours (the Host having passed) or allowed."""
        if origin is None or self.any_origin:
            return True
        origin = normalized_origin(origin)
        if host_header and origin == normalized_origin(f"{scheme}://{host_header}"):
            return True
        return origin in self.origins

    def __call__(self, environ, start_response, service: str | None, app):
        """Serve the request with app, refuse it, or answer its preflight."""
        host, origin = environ.get("HTTP_HOST"), environ.get("HTTP_ORIGIN")
        if not self.host_allowed(host):
            name = host_name(host)
            return self._refuse(environ, start_response, service, (
                f"Host '{name}' is not allowed: start the emulator with --allow-host {name} to allow it "
                f"(or set {ALLOW_HOSTS_ENV})"))
        if not self.origin_allowed(origin, environ.get("wsgi.url_scheme", "http"), host):
            hint = ("a page opened from a file or a sandboxed frame has no origin to allow; "
                    "--allow-origin '*' allows every origin" if origin.strip() == "null" else
                    f"start the emulator with --allow-origin {normalized_origin(origin)} to allow it "
                    f"(or set {ALLOW_ORIGINS_ENV})")
            return self._refuse(environ, start_response, service, f"Origin '{origin}' is not allowed: {hint}")
        if origin is not None and environ.get("REQUEST_METHOD") == "OPTIONS" \
                and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in environ:
            return self._preflight(environ, start_response, origin)

        def start_with_our_cors(status, headers, exc_info=None):
            # Backends (SeaweedFS, moto) answer any origin with "*": the decision is ours.
            headers = [(k, v) for k, v in headers if k.lower() not in (
                "access-control-allow-origin", "access-control-allow-credentials")]
            if origin is not None:
                headers += [("Access-Control-Allow-Origin", origin.strip()), ("Vary", "Origin")]
            return start_response(status, headers, exc_info)
        return app(environ, start_with_our_cors)

    @staticmethod
    def _preflight(environ, start_response, origin):
        headers = [("Access-Control-Allow-Origin", origin.strip()),
                   ("Access-Control-Allow-Methods", environ["HTTP_ACCESS_CONTROL_REQUEST_METHOD"]),
                   ("Access-Control-Max-Age", PREFLIGHT_MAX_AGE), ("Vary", "Origin"), ("Content-Length", "0")]
        if environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS"):
            headers.append(("Access-Control-Allow-Headers", environ["HTTP_ACCESS_CONTROL_REQUEST_HEADERS"]))
        if environ.get("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK") == "true":
            # Chromium asks this of a public page calling a loopback one; the user allowed this origin.
            headers.append(("Access-Control-Allow-Private-Network", "true"))
        start_response("204 No Content", headers)
        return [b""]

    @staticmethod
    def _refuse(environ, start_response, service, message):
        log.warning("refused %s %s: %s", environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"), message)
        headers, body = access_denied(service, environ.get("CONTENT_TYPE", ""), message)
        start_response("403 Forbidden", [*headers, ("Content-Length", str(len(body))),
                                         ("x-amzn-RequestId", str(uuid.uuid4()))])
        return [body]


def access_denied(service: str | None, content_type: str, message: str) -> tuple[list, bytes]:
    """(headers, body) of a 403 as the caller's protocol shapes it, so SDKs show the message."""
    if service == routing.S3:  # rest-xml
        return [("Content-Type", "application/xml")], (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
            f"<Message>{escape(message)}</Message></Error>").encode()
    if service == routing.IDENTITY or content_type.startswith("application/x-www-form-urlencoded"):  # query
        return [("Content-Type", "text/xml")], (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
            f"<Message>{escape(message)}</Message></Error></ErrorResponse>").encode()
    code = [("x-amzn-ErrorType", "AccessDeniedException")]
    if service == routing.CONSOLE:  # a person opening the page: words, not a download
        return [("Content-Type", "text/plain; charset=utf-8"), *code], f"AccessDenied: {message}\n".encode()
    if content_type.startswith("application/cbor"):  # CloudWatch's rpc-v2-cbor
        return [("Content-Type", "application/cbor"), ("Smithy-Protocol", "rpc-v2-cbor"), *code], \
            _cbor_text_map({"__type": "AccessDeniedException", "message": message})
    return [("Content-Type", "application/x-amz-json-1.1"), *code], \
        json.dumps({"__type": "AccessDeniedException", "message": message}).encode()


def _cbor_text_map(members: dict[str, str]) -> bytes:
    """A CBOR map of text strings (RFC 8949: major types 5 and 3), all an error body needs."""
    def head(major: int, length: int) -> bytes:
        if length < 24:
            return bytes([major << 5 | length])
        size = next(n for n in (1, 2, 4, 8) if length < 1 << (8 * n))
        return bytes([major << 5 | {1: 24, 2: 25, 4: 26, 8: 27}[size]]) + length.to_bytes(size, "big")

    def text(value: str) -> bytes:
        data = value.encode()
        return head(3, len(data)) + data
    return head(5, len(members)) + b"".join(text(k) + text(v) for k, v in members.items())
