"""A streaming WSGI reverse proxy: the S3 edge forwards requests to SeaweedFS as they are."""

import datetime
import hashlib
import logging
import uuid
from urllib.parse import parse_qsl, quote, urlsplit
from xml.sax.saxutils import escape

import urllib3

log = logging.getLogger(__name__)

_HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
               "trailers", "transfer-encoding", "upgrade", "host", "content-length"}
_CHUNK = 256 * 1024
# Server-side encryption asked of S3 (the SageMaker SDK asks for aws:kms with no key on every
# upload): SeaweedFS refuses a KMS request it has no key for, and nothing here is sent to a
# KMS, so objects are stored as they are and the answer says what was asked, as S3 does.
_SSE_PREFIX = "x-amz-server-side-encryption"


class ReverseProxy:
    def __init__(self, upstream: str, buckets=None, owner_id: str = ""):
        """buckets: () -> [(name, creation time)], what ListBuckets answers (SeaweedFS's own
        answer is empty for requests without its identities); owner_id: the Owner it names."""
        self.upstream = upstream.rstrip("/")
        self.pool = urllib3.PoolManager(maxsize=32, retries=False)
        self.buckets = buckets
        self.owner_id = owner_id

    def __call__(self, environ, start_response):
        if not _is_utf8_uri(environ):
            # SeaweedFS answers some of these (a ListObjects prefix of %ff) with a 500.
            return _s3_error(start_response, 400, "InvalidURI", "Couldn't parse the specified URI.")
        try:
            if self.buckets and environ.get("REQUEST_METHOD") == "GET" and environ.get("PATH_INFO", "/") == "/":
                return self._list_buckets(environ, start_response)
            return self._forward(environ, start_response)
        except urllib3.exceptions.HTTPError as exc:
            log.warning("S3 store did not answer: %s", exc)
            return _s3_error(start_response, 503, "ServiceUnavailable",
                             "The emulator's S3 store (SeaweedFS) is not answering; retry shortly.")

    def _list_buckets(self, environ, start_response):
        """ListBuckets (`GET /`), with its `prefix` and `max-buckets`/`continuation-token` paging."""
        query = dict(parse_qsl(environ.get("QUERY_STRING", "")))
        buckets = [b for b in self.buckets() if b[0].startswith(query.get("prefix", ""))]
        if query.get("continuation-token"):
            buckets = [b for b in buckets if b[0] > query["continuation-token"]]
        limit = int(query["max-buckets"]) if query.get("max-buckets", "").isdigit() else None
        token = buckets[limit - 1][0] if limit and len(buckets) > limit else None
        items = "".join(f"<Bucket><Name>{escape(name)}</Name><CreationDate>"
                        f"{datetime.datetime.fromtimestamp(created, datetime.timezone.utc):%Y-%m-%dT%H:%M:%S.000Z}"
                        "</CreationDate></Bucket>" for name, created in buckets[:limit])
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<ListAllMyBucketsResult '
                'xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
                f"<Owner><ID>{self.owner_id}</ID><DisplayName>emulator</DisplayName></Owner>"
                f"<Buckets>{items}</Buckets>"
                + (f"<ContinuationToken>{escape(token)}</ContinuationToken>" if token else "")
                + (f"<Prefix>{escape(query['prefix'])}</Prefix>" if query.get("prefix") else "")
                + "</ListAllMyBucketsResult>").encode()
        start_response("200 OK", [("Content-Type", "application/xml"), ("Content-Length", str(len(body))),
                                  ("x-amz-request-id", uuid.uuid4().hex[:16].upper())])
        return [body]

    def _forward(self, environ, start_response):
        path = environ.get("RAW_URI") or environ.get("REQUEST_URI")
        if path and not path.startswith("/"):
            # The absolute form (`GET http://host/key HTTP/1.1`, as sent through a proxy),
            # which HTTP/1.1 servers must accept: only its path and query go upstream.
            parts = urlsplit(path)
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if not path:
            # WSGI's PATH_INFO is decoded bytes-as-latin-1: re-encode them exactly.
            path = quote(environ.get("PATH_INFO", "/").encode("latin-1"), safe="/~!$&'()*+,;=:@")
        if "?" not in path and environ.get("QUERY_STRING"):
            path += "?" + environ["QUERY_STRING"]
        headers = {k[5:].replace("_", "-").title(): v for k, v in environ.items()
                   if k.startswith("HTTP_") and k[5:].replace("_", "-").lower() not in _HOP_BY_HOP}
        sse = {k: v for k, v in headers.items() if k.lower().startswith(_SSE_PREFIX)}
        for k in sse:
            del headers[k]
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        body = None
        length = environ.get("CONTENT_LENGTH")
        if length:
            body = environ["wsgi.input"].read(int(length))
            headers["Content-Length"] = str(len(body))
        elif environ.get("wsgi.input_terminated") or environ.get("HTTP_TRANSFER_ENCODING"):
            body = environ["wsgi.input"].read()
            headers["Content-Length"] = str(len(body))
        upstream = self.pool.urlopen(environ["REQUEST_METHOD"], self.upstream + path, body=body,
                                     headers=headers, redirect=False, preload_content=False,
                                     decode_content=False)
        out_headers = [(k, v) for k, v in upstream.headers.items() if k.lower() not in _HOP_BY_HOP]
        if sse and upstream.status < 300:
            out_headers += [(k, v) for k, v in sse.items() if k.lower() in (_SSE_PREFIX, _SSE_PREFIX + "-aws-kms-key-id")]
        if upstream.headers.get("Content-Length") is not None:
            out_headers.append(("Content-Length", upstream.headers["Content-Length"]))
        start_response(f"{upstream.status} {upstream.reason or ''}".strip(), out_headers)
        return _stream(upstream)


def canonical_user_id(account_id: str) -> str:
    """An S3 canonical user ID (64 hex digits) that stays the same for an account."""
    return hashlib.sha256(f"sagemaker-emulator:{account_id}".encode()).hexdigest()


def _is_utf8_uri(environ) -> bool:
    """S3 names (buckets, keys, prefixes, tokens) are UTF-8; percent-escapes of other bytes
    name nothing."""
    try:
        environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8")
        parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True, errors="strict")
    except UnicodeError:
        return False
    return True


def _s3_error(start_response, status: int, code: str, message: str):
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{code}</Code><Message>{escape(message)}</Message>"
            f"<RequestId>{uuid.uuid4().hex[:16].upper()}</RequestId></Error>").encode()
    reason = {400: "Bad Request", 503: "Service Unavailable"}[status]
    start_response(f"{status} {reason}", [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))])
    return [body]


def _stream(response):
    try:
        yield from response.stream(_CHUNK, decode_content=False)
    finally:
        response.release_conn()
