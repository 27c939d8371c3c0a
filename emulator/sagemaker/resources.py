"""A stored collection of one SageMaker resource kind: add, get, change, remove, list.

Every kind answers the same way: a duplicate name and an unknown name are AWS's
ValidationExceptions (with the wording the SDK and waiters match on), and List* share
the filters, sorting and paging below.
"""

import time
from dataclasses import dataclass, field
from typing import Callable

from ..aws.errors import ServiceError, ValidationException
from ..store import Conflict, Store
from .paging import page

_TIME_FILTERS = {
    "CreationTimeAfter": ("CreationTime", lambda a, b: a > b),
    "CreationTimeBefore": ("CreationTime", lambda a, b: a < b),
    "LastModifiedTimeAfter": ("LastModifiedTime", lambda a, b: a > b),
    "LastModifiedTimeBefore": ("LastModifiedTime", lambda a, b: a < b),
}


@dataclass
class Kind:
    kind: str         # store kind and ARN resource type, e.g. "endpoint-config"
    noun: str         # how messages name it, e.g. "endpoint configuration"
    prefix: str       # member prefix: "EndpointConfig" -> EndpointConfigName, EndpointConfigArn
    list_key: str     # List*'s result member, e.g. "EndpointConfigs"
    summary: tuple[str, ...]
    status: str | None = None  # the member StatusEquals filters on
    missing: Callable[[str, str], ServiceError] | None = None  # (noun, name) -> the error for an unknown name
    duplicate: Callable[[dict], ServiceError] | None = None  # the stored document -> the error for its name again
    default_order: str = "Descending"  # ListTrainingJobs alone defaults to Ascending
    # List* filters of this kind alone: request member -> test(document, value).
    extra_filters: dict[str, Callable[[dict, object], bool]] = field(default_factory=dict)
    # List*'s SortBy values of this kind alone: value -> the document member it sorts on.
    sort_keys: dict[str, str] = field(default_factory=dict)

    @property
    def name_key(self) -> str:
        return self.prefix + "Name"

    @property
    def arn_key(self) -> str:
        return self.prefix + "Arn"


def could_not_find(noun: str, name: str) -> ServiceError:
    return ValidationException(f'Could not find {noun} "{name}".')


def already_exists(kind: Kind, doc: dict) -> ServiceError:
    return ValidationException(f'Cannot create already existing {kind.noun} "{doc[kind.arn_key]}".')


class Resources:
    def __init__(self, store: Store, kind: Kind):
        self.store = store
        self.kind = kind

    def add(self, doc: dict) -> None:
        try:
            self.store.insert(self.kind.kind, doc[self.kind.name_key], doc)
        except Conflict:
            existing = self.find(doc[self.kind.name_key])
            raise (self.kind.duplicate(existing) if self.kind.duplicate else already_exists(self.kind, doc))

    def find(self, name: str) -> dict | None:
        return self.store.get(self.kind.kind, name)

    def get(self, name: str) -> dict:
        doc = self.find(name)
        if doc is None:
            raise (self.kind.missing or could_not_find)(self.kind.noun, name)
        return doc

    def update(self, name: str, change) -> dict:
        def stamped(doc):
            change(doc)
            doc["LastModifiedTime"] = time.time()
        return self.store.update(self.kind.kind, name, stamped)

    def remove(self, name: str) -> None:
        self.store.delete(self.kind.kind, name)

    def all(self) -> list[dict]:
        return self.store.all(self.kind.kind)

    def query(self, request: dict) -> dict:
        return list_page(self.all(), request, self.kind)


def list_page(docs: list[dict], request: dict, kind: Kind) -> dict:
    """List*: filters, SortBy/SortOrder (CreationTime, Descending unless asked), paging."""
    for member, (key, test) in _TIME_FILTERS.items():
        if request.get(member) is not None:
            docs = [d for d in docs if key in d and test(d[key], request[member])]
    if request.get("NameContains"):
        docs = [d for d in docs if request["NameContains"] in d[kind.name_key]]
    if kind.status and request.get("StatusEquals"):
        docs = [d for d in docs if d.get(kind.status) == request["StatusEquals"]]
    for member, test in kind.extra_filters.items():
        if request.get(member) is not None:
            docs = [d for d in docs if test(d, request[member])]
    keys = {"Name": lambda d: d[kind.name_key], "CreationTime": lambda d: d["CreationTime"],
            **({"Status": lambda d: d.get(kind.status, "")} if kind.status else {}),
            **{by: (lambda d, member=member: d.get(member, 0)) for by, member in kind.sort_keys.items()}}
    docs.sort(key=keys.get(request.get("SortBy", "CreationTime"), keys["CreationTime"]),
              reverse=request.get("SortOrder", kind.default_order) == "Descending")
    chunk, token = page(docs, request.get("MaxResults"), request.get("NextToken"))
    result = {kind.list_key: [{k: d[k] for k in kind.summary if k in d} for d in chunk]}
    if token:
        result["NextToken"] = token
    return result
