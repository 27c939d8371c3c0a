"""AWS event-stream framing (application/vnd.amazon.eventstream), the encoding side of
what botocore's EventStreamBuffer decodes: prelude, string headers, payload, CRC32s."""

import struct
import zlib

_STRING = 7


def _headers(headers: dict[str, str]) -> bytes:
    out = b""
    for name, value in headers.items():
        name_b, value_b = name.encode(), value.encode()
        out += struct.pack("!B", len(name_b)) + name_b + struct.pack("!BH", _STRING, len(value_b)) + value_b
    return out


def message(headers: dict[str, str], payload: bytes) -> bytes:
    encoded = _headers(headers)
    total = 12 + len(encoded) + len(payload) + 4
    prelude = struct.pack("!II", total, len(encoded))
    prelude += struct.pack("!I", zlib.crc32(prelude) & 0xFFFFFFFF)
    body = prelude + encoded + payload
    return body + struct.pack("!I", zlib.crc32(body) & 0xFFFFFFFF)


def event(event_type: str, payload: bytes) -> bytes:
    return message({":message-type": "event", ":event-type": event_type,
                    ":content-type": "application/octet-stream"}, payload)


def exception(exception_type: str, payload: bytes) -> bytes:
    return message({":message-type": "exception", ":exception-type": exception_type,
                    ":content-type": "application/json"}, payload)
