"""A provider's answer as the operation's output shape has it, the way botocore's models say
AWS writes JSON 1.1: members the shape does not name are left out (AWS would not return them),
None members are left out, timestamps are epoch seconds."""

import datetime

from botocore.model import Shape

from .validation import epoch_seconds


def shaped(value, shape: Shape | None):
    if shape is None:
        return {}  # an operation without an output answers {}
    kind = shape.type_name
    if kind == "structure":
        return {k: shaped(v, shape.members[k]) for k, v in value.items() if k in shape.members and v is not None}
    if kind == "list":
        return [shaped(v, shape.member) for v in value]
    if kind == "map":
        return {k: shaped(v, shape.value) for k, v in value.items()}
    if kind == "timestamp":
        if isinstance(value, datetime.datetime):
            return value.timestamp()
        seconds = epoch_seconds(value)
        return value if seconds is None else seconds
    return value
