"""The expressions of a pipeline definition, evaluated as SageMaker evaluates them at run time.

- `{"Get": "Parameters.<name>"}`: the execution's value of the parameter, of its Type.
- `{"Get": "Execution.<variable>"}`: PipelineName, PipelineArn, PipelineExecutionId,
  PipelineExecutionArn, StartDateTime, CurrentDateTime, and the job name of the step being
  run (TrainingJobName, ProcessingJobName).
- `{"Get": "PipelineExperimentConfig.ExperimentName|TrialName"}`.
- `{"Get": "Steps.<step>.<path>"}`: a property of a step that succeeded, read from its
  Describe answer along the path the SDK writes: members joined by dots, `[n]` for a list's
  n-th item, `['key']` for a map's value or for the item of a list whose *Name member is
  key (`ProcessingOutputConfig.Outputs['train']` is the output named train).
- `{"Std:Join": {"On": sep, "Values": [...]}}`: the values as text, joined. Text as AWS
  writes it: booleans `true`/`false`, numbers as JSON has them.
- `{"Std:JsonGet": {"PropertyFile": {"Get": "Steps.<step>.PropertyFiles.<name>"}, "Path": p}}`:
  the value at p of the JSON file a processing step declared in PropertyFiles (the file
  FilePath under its output OutputName's S3Uri); or `{"S3Uri": ..., "Path": p}` for a file
  named directly.
- Conditions: Equals, GreaterThan(OrEqualTo), LessThan(OrEqualTo) between two values, In
  (QueryValue among Values), Not, Or. A condition step's list of conditions holds when all do.

An expression that cannot be evaluated raises ExpressionError: the step reading it fails
with that message.
"""

import json
import re
from dataclasses import dataclass, field
from typing import Callable

COMPARISONS = {
    "Equals": lambda a, b: a == b,
    "GreaterThan": lambda a, b: a > b,
    "GreaterThanOrEqualTo": lambda a, b: a >= b,
    "LessThan": lambda a, b: a < b,
    "LessThanOrEqualTo": lambda a, b: a <= b,
}
_NAME = r"[A-Za-z0-9_\-]+"
_SEGMENT = re.compile(rf"(?P<name>{_NAME})|\[(?P<index>\d+)\]|\['(?P<single>[^']*)'\]|\[\"(?P<double>[^\"]*)\"\]")


class ExpressionError(Exception):
    """An expression that cannot be evaluated; the message says why."""


class Key(str):
    """A path segment written `['key']`: a map's key, or the name of a list's item."""


@dataclass(frozen=True)
class PropertyPath:
    """`A.B[0].C['x']` as its segments: member names (str), indexes (int) and keys (Key)."""
    segments: tuple

    @classmethod
    def parse(cls, text: str) -> "PropertyPath":
        segments, position = [], 0
        while position < len(text):
            if text[position] == "." and segments and position + 1 < len(text):
                position += 1
            match = _SEGMENT.match(text, position)
            if match is None or (match.group("name") and segments and text[position - 1] != "."):
                raise ValueError(f"cannot read '{text}' from character {position + 1}")
            if match.group("name"):
                segments.append(match.group("name"))
            elif match.group("index") is not None:
                segments.append(int(match.group("index")))
            else:
                segments.append(Key(match.group("single") if match.group("single") is not None
                                    else match.group("double")))
            position = match.end()
        if not segments or not isinstance(segments[0], str) or isinstance(segments[0], Key):
            raise ValueError(f"'{text}' must start with a member name")
        return cls(tuple(segments))

    def __str__(self) -> str:
        out = ""
        for segment in self.segments:
            if isinstance(segment, Key):
                out += f"['{segment}']"
            elif isinstance(segment, int):
                out += f"[{segment}]"
            else:
                out += ("." if out else "") + segment
        return out

    def problem(self, shape) -> str | None:
        """Why this path cannot be read from a value of the botocore shape, or None."""
        for segment in self.segments:
            kind = shape.type_name
            if isinstance(segment, Key) or isinstance(segment, int):
                if kind == "list":
                    shape = shape.member
                elif kind == "map" and isinstance(segment, Key):
                    shape = shape.value
                else:
                    return f"{shape.name} is not a list or map, so it has no [{segment!r}]"
            elif kind == "structure" and segment in shape.members:
                shape = shape.members[segment]
            else:
                return f"{shape.name} has no member {segment}"
        return None

    def read(self, value):
        """The value at this path; ExpressionError when it is not there."""
        for segment in self.segments:
            value = _step_into(value, segment)
        return value


def _step_into(value, segment):
    if isinstance(segment, int) and isinstance(value, list):
        if segment < len(value):
            return value[segment]
        raise ExpressionError(f"[{segment}] is past the end of a list of {len(value)}")
    if isinstance(segment, Key) and isinstance(value, list):
        for item in value:
            if isinstance(item, dict) and any(k.endswith("Name") and v == segment for k, v in item.items()):
                return item
        raise ExpressionError(f"no item named '{segment}'")
    if isinstance(segment, str) and isinstance(value, dict):
        if segment in value:
            return value[segment]
        raise ExpressionError(f"no member {segment}" if not isinstance(segment, Key) else f"no key '{segment}'")
    raise ExpressionError(f"cannot read {segment!r} from a {type(value).__name__}")


def gets(tree):
    """Every `Get` reference in an expression tree (the JsonGet property files' included)."""
    if isinstance(tree, dict):
        if isinstance(tree.get("Get"), str):
            yield tree["Get"]
        for value in tree.values():
            yield from gets(value)
    elif isinstance(tree, list):
        for value in tree:
            yield from gets(value)


def render(value) -> str:
    """A value as text, as AWS writes it into a Join or a parameter list."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if value is None:
        raise ExpressionError("a value to join is null")
    return json.dumps(value)


@dataclass
class Scope:
    """What expressions of one execution read. `properties` fills as steps succeed."""
    parameters: dict[str, object]
    variables: dict[str, object]  # Execution.<name>; a callable is evaluated when read (CurrentDateTime)
    experiment: dict[str, object] = field(default_factory=dict)
    properties: dict[str, dict] = field(default_factory=dict)
    property_files: dict[str, dict[str, dict]] = field(default_factory=dict)  # step -> name -> declaration
    read_json: Callable[[str], object] | None = None  # s3:// URI -> the parsed JSON there

    def with_variables(self, **variables) -> "Scope":
        return Scope(self.parameters, {**self.variables, **variables}, self.experiment, self.properties,
                     self.property_files, self.read_json)

    def get(self, reference: str):
        root, _, rest = reference.partition(".")
        if root == "Parameters" and rest in self.parameters:
            return self.parameters[rest]
        if root == "Execution" and rest in self.variables:
            value = self.variables[rest]
            return value() if callable(value) else value
        if root == "PipelineExperimentConfig" and rest in self.experiment:
            return self.experiment[rest]
        if root == "Steps":
            step, _, path = rest.partition(".")
            if step not in self.properties:
                raise ExpressionError(f"{reference} cannot be read: step {step} has not succeeded in this execution")
            try:
                return PropertyPath.parse(path).read(self.properties[step])
            except (ExpressionError, ValueError) as error:
                raise ExpressionError(f"{reference} cannot be read: {error}")
        raise ExpressionError(f"{reference} is not defined")

    def property_file_uri(self, reference: str) -> str:
        """The S3 URI of the file `Steps.<step>.PropertyFiles.<name>` names."""
        match = re.fullmatch(rf"Steps\.({_NAME})\.PropertyFiles\.({_NAME})", reference)
        if match is None:
            raise ExpressionError(f"{reference} is not a property file (Steps.<step>.PropertyFiles.<name>)")
        step, name = match.groups()
        declared = self.property_files.get(step, {}).get(name)
        if declared is None:
            raise ExpressionError(f"step {step} declares no property file {name}")
        output = self.get(f"Steps.{step}.ProcessingOutputConfig.Outputs['{declared['OutputName']}'].S3Output.S3Uri")
        return f"{output.rstrip('/')}/{declared['FilePath'].lstrip('/')}"


def evaluate(value, scope: Scope):
    """The value with every expression in it replaced by what it evaluates to."""
    if isinstance(value, dict):
        if len(value) == 1 and isinstance(value.get("Get"), str):
            return scope.get(value["Get"])
        if len(value) == 1 and "Std:Join" in value:
            return _join(value["Std:Join"], scope)
        if len(value) == 1 and "Std:JsonGet" in value:
            return _json_get(value["Std:JsonGet"], scope)
        return {key: evaluate(item, scope) for key, item in value.items()}
    if isinstance(value, list):
        return [evaluate(item, scope) for item in value]
    return value


def _join(spec, scope: Scope) -> str:
    if not isinstance(spec, dict) or not isinstance(spec.get("Values", []), list):
        raise ExpressionError("Std:Join takes {\"On\": separator, \"Values\": [...]}")
    return str(spec.get("On", "")).join(render(evaluate(item, scope)) for item in spec.get("Values", []))


def _json_get(spec, scope: Scope):
    if not isinstance(spec, dict) or not isinstance(spec.get("Path"), str):
        raise ExpressionError("Std:JsonGet takes a PropertyFile or an S3Uri, and a Path")
    source = spec.get("PropertyFile")
    if isinstance(source, dict) and isinstance(source.get("Get"), str):
        uri = scope.property_file_uri(source["Get"])
    elif "S3Uri" in spec:
        uri = evaluate(spec["S3Uri"], scope)
    else:
        raise ExpressionError("Std:JsonGet takes a PropertyFile {\"Get\": \"Steps.<step>.PropertyFiles.<name>\"} "
                              "or an S3Uri")
    if scope.read_json is None:
        raise ExpressionError("Std:JsonGet cannot read files here")
    document = scope.read_json(uri)
    path = spec["Path"][2:] if spec["Path"].startswith("$.") else spec["Path"]
    try:
        segments = PropertyPath.parse(path).segments
        for segment in segments:
            # JSON has objects, not named list items: ['key'] reads an object's member.
            if isinstance(segment, Key) and isinstance(document, dict):
                segment = str(segment)
            document = _step_into(document, segment)
        return document
    except (ExpressionError, ValueError) as error:
        raise ExpressionError(f"Invalid json path '{spec['Path']}' for the property file {uri}: {error}")


def holds(condition, scope: Scope) -> bool:
    """Whether one condition (of any type) holds."""
    if not isinstance(condition, dict):
        raise ExpressionError(f"a condition must be an object, not {condition!r}")
    kind = condition.get("Type")
    if kind in COMPARISONS:
        left, right = evaluate(condition.get("LeftValue"), scope), evaluate(condition.get("RightValue"), scope)
        return _compare(kind, left, right)
    if kind == "In":
        query = evaluate(condition.get("QueryValue"), scope)
        values = evaluate(condition.get("Values", []), scope)
        if not isinstance(values, list):
            raise ExpressionError("the Values of an In condition must be a list")
        return any(_comparable(query, value) and _compare("Equals", query, value) for value in values)
    if kind == "Not":
        return not holds(condition.get("Condition"), scope)
    if kind == "Or":
        conditions = condition.get("Conditions", [])
        if not isinstance(conditions, list):
            raise ExpressionError("the Conditions of an Or condition must be a list")
        return any(holds(c, scope) for c in conditions)
    raise ExpressionError(f"Condition of type [{kind}] is not supported (Equals, GreaterThan, "
                          "GreaterThanOrEqualTo, LessThan, LessThanOrEqualTo, In, Not, Or)")


def all_hold(conditions, scope: Scope) -> bool:
    if not isinstance(conditions, list):
        raise ExpressionError("Conditions must be a list")
    return all(holds(c, scope) for c in conditions)


def _number(value):
    """A number read from text where text stands for one (hyperparameters are strings)."""
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def _kind(value) -> str:
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, (int, float)):
        return "Number"
    if isinstance(value, str):
        return "String"
    return type(value).__name__


def _coerced(left, right) -> tuple:
    """Text that stands for a number compared with a number is read as one (hyperparameters are text)."""
    if _kind(left) != _kind(right) and "Number" in (_kind(left), _kind(right)):
        return _number(left), _number(right)
    return left, right


def _comparable(left, right) -> bool:
    left, right = _coerced(left, right)
    return _kind(left) == _kind(right)


def _compare(kind: str, left, right) -> bool:
    left, right = _coerced(left, right)
    if _kind(left) != _kind(right):
        raise ExpressionError(f"LeftValue [{render_loose(left)}] of type [{_kind(left)}] and RightValue "
                              f"[{render_loose(right)}] of type [{_kind(right)}] cannot be compared ({kind})")
    if kind != "Equals" and _kind(left) not in ("Number", "String"):
        raise ExpressionError(f"{kind} compares numbers or strings, not [{render_loose(left)}] "
                              f"and [{render_loose(right)}] of type [{_kind(left)}]")
    return COMPARISONS[kind](left, right)


def render_loose(value) -> str:
    try:
        return render(value)
    except ExpressionError:
        return "null"
