"""A streaming WSGI reverse proxy: the S3 edge forwards requests to SeaweedFS as they are."""

from urllib.parse import quote, urlsplit

import urllib3

_HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
               "trailers", "transfer-encoding", "upgrade", "host", "content-length"}
_CHUNK = 256 * 1024
# Server-side encryption asked of S3 (the SageMaker SDK asks for aws:kms with no key on every
# upload): SeaweedFS refuses a KMS request it has no key for, and nothing here is sent to a
# KMS, so objects are stored as they are and the answer says what was asked, as S3 does.
_SSE_PREFIX = "x-amz-server-side-encryption"


class ReverseProxy:
    def __init__(self, upstream: str):
        self.upstream = upstream.rstrip("/")
        self.pool = urllib3.PoolManager(maxsize=32, retries=False)

    def __call__(self, environ, start_response):
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


def _stream(response):
    try:
        yield from response.stream(_CHUNK, decode_content=False)
    finally:
        response.release_conn()
