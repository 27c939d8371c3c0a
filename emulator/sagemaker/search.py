"""Search over the searchable kinds (training jobs, tuning jobs, endpoints, model package groups
and model packages; AWS's Search has no ProcessingJob): the whole documents a SearchExpression
matches, sorted and paged (what the SDK's analytics and a job list read in one call, instead of a
Describe per job).

Property names are dotted paths into the document as Describe* returns it
("ResourceConfig.InstanceType", "HyperParameters.epochs", "Tags.team"). Values compare as
numbers or times when the property is one, as text otherwise.
"""

import datetime
import json
from typing import Callable

from ..aws.errors import ValidationException
from ..store import Store
from .paging import page
from .resources import Resources

_MISSING = object()


def _resolve(doc: dict, path: str):
    value = doc
    for part in path.split("."):
        if isinstance(value, list):  # Tags: [{"Key": k, "Value": v}], named by key
            value = {t.get("Key"): t.get("Value") for t in value if isinstance(t, dict)}
        if isinstance(value, dict) and part in value:
            value = value[part]
        else:
            return _MISSING
    return value


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        pass
    try:
        when = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationException(f"Value '{text}' is neither a number nor an ISO 8601 time")
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return when.timestamp()


def _compare(have, want: str, test) -> bool:
    if have is _MISSING or isinstance(have, (dict, list)):
        return False
    if isinstance(have, (int, float)) and not isinstance(have, bool):
        return test(have, _number(want))
    return test(str(have), want)


_OPERATORS = {
    "Equals": lambda have, want: _compare(have, want, lambda a, b: a == b),
    "NotEquals": lambda have, want: not _compare(have, want, lambda a, b: a == b),
    "GreaterThan": lambda have, want: _compare(have, want, lambda a, b: a > b),
    "GreaterThanOrEqualTo": lambda have, want: _compare(have, want, lambda a, b: a >= b),
    "LessThan": lambda have, want: _compare(have, want, lambda a, b: a < b),
    "LessThanOrEqualTo": lambda have, want: _compare(have, want, lambda a, b: a <= b),
    "Contains": lambda have, want: _compare(have, want, lambda a, b: str(b) in str(a)),
    "Exists": lambda have, want: have is not _MISSING,
    "NotExists": lambda have, want: have is _MISSING,
    "In": lambda have, want: any(_compare(have, v.strip(), lambda a, b: a == b) for v in want.split(",")),
}


def _filter_matches(doc: dict, flt: dict, prefix: str = "") -> bool:
    name = flt["Name"]
    if prefix:
        if not name.startswith(prefix + "."):
            raise ValidationException(f"Filter name '{name}' must start with the NestedPropertyName '{prefix}.'")
        name = name[len(prefix) + 1:]
    operator = flt.get("Operator", "Equals")
    if operator not in ("Exists", "NotExists") and "Value" not in flt:
        raise ValidationException(f"The filter on '{flt['Name']}' with Operator {operator} needs a Value")
    return _OPERATORS[operator](_resolve(doc, name), flt.get("Value", ""))


def matches(doc: dict, expression: dict | None) -> bool:
    if not expression:
        return True
    results = [_filter_matches(doc, f) for f in expression.get("Filters", [])]
    for nested in expression.get("NestedFilters", []):
        items = _resolve(doc, nested["NestedPropertyName"])
        items = items if isinstance(items, list) else []
        results.append(any(all(_filter_matches(item, f, nested["NestedPropertyName"]) for f in nested["Filters"])
                           for item in items if isinstance(item, dict)))
    results += [matches(doc, sub) for sub in expression.get("SubExpressions", [])]
    return any(results) if expression.get("Operator") == "Or" else all(results)


def uses_tags(request: dict) -> bool:
    return '"Tags.' in json.dumps(request.get("SearchExpression") or {}) or request.get("SortBy", "").startswith("Tags.")


def sort_key(path: str):
    parts = path.split(".")

    def key(doc: dict):
        value = doc.get(path, _MISSING) if len(parts) == 1 else _resolve(doc, path)
        # Numbers and times, then text, then documents without the property.
        if value is _MISSING or isinstance(value, (dict, list)):
            return (2, "")
        return (0, value) if isinstance(value, (int, float)) else (1, str(value))
    return key


class Searcher:
    """The Search operation over {Resource name ("TrainingJob"): its stored documents}; a kind
    whose Describe adds to the stored document (a tuning job's ConsumedResources) names that
    view in `views`, so a search finds and returns what Describe shows."""

    def __init__(self, store: Store, searchable: list[Resources], views: dict[str, Callable[[dict], dict]] | None = None):
        self.store = store
        self.searchable = {r.kind.prefix: r for r in searchable}
        self.views = views or {}

    def methods(self) -> dict:
        return {"search": self.search}

    def search(self, request: dict) -> dict:
        resource = request["Resource"]
        if resource not in self.searchable:
            raise ValidationException(f"Search with Resource {resource} is not supported by the emulator; "
                                      f"it searches {', '.join(sorted(self.searchable))}.")
        documents = self.searchable[resource]
        tags = self.store.all_tags()

        def with_tags(doc: dict) -> dict:
            return {**doc, "Tags": tags.get(doc[documents.kind.arn_key], [])}
        # Every document carries its tags only when the expression or the sort names one;
        # otherwise only the page returned does (no copy of every document).
        tagged = uses_tags(request)
        view = self.views.get(resource)
        records = [view(d) for d in documents.all()] if view else documents.all()
        records = [with_tags(d) for d in records] if tagged else records
        records = [r for r in records if matches(r, request.get("SearchExpression"))]
        records.sort(key=sort_key(request.get("SortBy", "LastModifiedTime")),
                     reverse=request.get("SortOrder", "Descending") == "Descending")
        chunk, token = page(records, request.get("MaxResults"), request.get("NextToken"))
        answer = {"Results": [{resource: r if tagged else with_tags(r)} for r in chunk],
                  "TotalHits": {"Value": len(records), "Relation": "EqualTo"}}
        if token:
            answer["NextToken"] = token
        return answer
