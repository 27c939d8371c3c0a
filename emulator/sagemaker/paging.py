"""List operations' NextToken and MaxResults, shared by every List* of the control plane."""

import base64
import json

from ..aws.errors import ValidationException


def page(items: list, max_results: int | None, next_token: str | None, default: int = 10) -> tuple[list, str | None]:
    start = 0
    if next_token:
        try:
            start = int(json.loads(base64.urlsafe_b64decode(next_token.encode()))["offset"])
        except (ValueError, KeyError, TypeError):
            raise ValidationException("Invalid pagination token: the NextToken is not valid.")
    size = max_results or default
    chunk = items[start:start + size]
    more = start + size < len(items)
    token = base64.urlsafe_b64encode(json.dumps({"offset": start + size}).encode()).decode() if more else None
    return chunk, token
