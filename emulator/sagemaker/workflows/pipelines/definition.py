"""A pipeline definition (the JSON the SDK's Pipeline.definition() writes): parsed, checked,
and turned into the DAG an execution runs.

Checked when CreatePipeline/UpdatePipeline get it, so that a mistake is a ValidationException
naming it rather than a failed execution later: JSON that is an object, step names unique
(steps nested in a condition's IfSteps/ElseSteps included) and of the StepName pattern, known
step types, parameters typed and their defaults of that type, DependsOn naming steps (never a
Fail step: "X can not depends on Y", AWS's wording), every `Get` naming a parameter, an
execution variable or a step, and a step property path that the step's Describe answer has
(checked against the same botocore shapes the SDK builds `step.properties` from), no cycle.

The DAG: a step waits for the steps in its DependsOn, for every step whose properties its
arguments read (data dependencies), and, when it sits in a condition's branch, for that
condition step.
"""

import json
import re
from dataclasses import dataclass, field

from ....aws.errors import ValidationException
from ....aws.specs import service_model
from . import cache, retry
from .expressions import PropertyPath, gets

STEP_NAME = re.compile(r"[A-Za-z0-9\-_]{1,64}")
PARAMETER_NAME = re.compile(r"[A-Za-z0-9\-_]{1,256}")
PARAMETER_TYPES = ("String", "Integer", "Float", "Boolean")
BRANCHES = ("IfSteps", "ElseSteps")

# The botocore shapes a step's properties have, by step type: what the SDK's Properties are
# built from (sagemaker/workflow/steps.py), and what the step's Describe answer is.
PROPERTY_SHAPES = {
    "Processing": ("DescribeProcessingJobResponse",),
    "Training": ("DescribeTrainingJobResponse",),
    "Transform": ("DescribeTransformJobResponse",),
    "Tuning": ("DescribeHyperParameterTuningJobResponse", "ListTrainingJobsForHyperParameterTuningJobResponse"),
    "Model": ("DescribeModelOutput",),
    "RegisterModel": ("DescribeModelPackageOutput",),
}
# Step types the SDK writes that the emulator accepts in a definition but does not run (each
# fails with a message naming its type; see steps/unsupported.py). Their properties are not checked.
NOT_EMULATED = ("QualityCheck", "ClarifyCheck", "EMR", "EMRServerless", "AutoML", "EndpointConfig", "Endpoint",
                "InferenceComponent", "Lineage")
STEP_TYPES = (*PROPERTY_SHAPES, "Condition", "Fail", "Callback", "Lambda", *NOT_EMULATED)
EXECUTION_VARIABLES = ("PipelineName", "PipelineArn", "PipelineExecutionId", "PipelineExecutionArn",
                       "StartDateTime", "CurrentDateTime", "TrainingJobName", "ProcessingJobName")
EXPERIMENT_MEMBERS = ("ExperimentName", "TrialName")


class DefinitionError(ValidationException):
    """A definition the service refuses (CreatePipeline, UpdatePipeline)."""

    def __init__(self, message: str):
        super().__init__(f"Invalid pipeline definition: {message}")


@dataclass
class Step:
    name: str
    type: str
    raw: dict
    parent: str | None = None   # the condition step whose branch holds it
    branch: str | None = None   # "IfSteps" | "ElseSteps"

    @property
    def arguments(self):
        return self.raw.get("Arguments", {})

    @property
    def depends_on(self) -> list[str]:
        return list(self.raw.get("DependsOn") or [])

    @property
    def display_name(self) -> str | None:
        return self.raw.get("DisplayName")

    @property
    def description(self) -> str | None:
        return self.raw.get("Description")

    @property
    def cache_config(self) -> dict:
        return self.raw.get("CacheConfig") or {}

    @property
    def retry_policies(self) -> list[dict]:
        return list(self.raw.get("RetryPolicies") or [])

    @property
    def property_files(self) -> list[dict]:
        return list(self.raw.get("PropertyFiles") or [])

    @property
    def outputs(self) -> list[dict]:
        """A callback or Lambda step's declared OutputParameters."""
        return list(self.raw.get("OutputParameters") or [])

    def children(self, branch: str) -> list[str]:
        return [child["Name"] for child in self.arguments.get(branch, [])] if self.type == "Condition" else []

    def expressions(self):
        """What of the step may hold expressions: its arguments (a condition's, without its branches)."""
        if self.type == "Condition":
            return self.arguments.get("Conditions", [])
        return self.arguments


@dataclass
class Definition:
    text: str
    parameters: dict[str, dict]          # name -> {"Name", "Type", "DefaultValue"?, "EnumValues"?}
    steps: dict[str, Step]               # in an order where every step comes after what it waits for
    upstream: dict[str, set[str]]        # step -> the steps it waits for
    experiment: dict | None = None       # PipelineExperimentConfig, unresolved
    raw: dict = field(default_factory=dict)

    def branch_of(self, condition: str, branch: str) -> list[str]:
        return self.steps[condition].children(branch)

    def values(self, given: dict[str, str]) -> dict[str, object]:
        """Every parameter's value for an execution, of its Type: the given text read, else its
        DefaultValue. ValidationException for a parameter the pipeline lacks, a value not of its
        type or outside its EnumValues, or a parameter with neither value nor default."""
        for name in given:
            if name not in self.parameters:
                raise ValidationException(f"Parameter '{name}' is not a parameter of the pipeline "
                                          f"({', '.join(self.parameters) or 'it has none'})")
        values = {}
        for name, parameter in self.parameters.items():
            if name in given:
                values[name] = _read(name, parameter["Type"], given[name])
            elif "DefaultValue" in parameter:
                values[name] = parameter["DefaultValue"]
            else:
                raise ValidationException(f"Parameter '{name}' has no DefaultValue, so StartPipelineExecution "
                                          "must give it a value in PipelineParameters")
            enum = parameter.get("EnumValues")
            if enum is not None and values[name] not in enum:
                raise ValidationException(f"Value '{given.get(name, values[name])}' of parameter '{name}' is not one "
                                          f"of its EnumValues ({', '.join(map(str, enum))})")
        return values


def parse(text: str) -> Definition:
    """The checked definition, or DefinitionError naming what is wrong."""
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError):
        raise DefinitionError("the PipelineDefinition is not valid JSON")
    if not isinstance(raw, dict):
        raise DefinitionError("the PipelineDefinition must be a JSON object")
    parameters = _parameters(raw.get("Parameters", []))
    if not isinstance(raw.get("Steps", []), list):
        raise DefinitionError("Steps must be a list")
    steps: dict[str, Step] = {}
    _collect(raw.get("Steps", []), steps, None, None)
    experiment = raw.get("PipelineExperimentConfig")
    if experiment is not None and not isinstance(experiment, dict):
        raise DefinitionError("PipelineExperimentConfig must be an object")
    upstream = {name: _waits_for(step, steps, parameters) for name, step in steps.items()}
    for name in EXPERIMENT_MEMBERS:
        for reference in gets((experiment or {}).get(name)):
            _check_reference(reference, "PipelineExperimentConfig", steps, parameters, allow_steps=False)
    ordered = _topological(steps, upstream)
    return Definition(text, parameters, {name: steps[name] for name in ordered}, upstream, experiment, raw)


def _name(item, what: str, pattern: re.Pattern, taken: dict) -> str:
    """The Name of a parameter or step: there, of its pattern, not taken (steps in a
    condition's branches share the pipeline's names)."""
    if not isinstance(item, dict) or not isinstance(item.get("Name"), str):
        raise DefinitionError(f"every {what} needs a Name")
    name = item["Name"]
    if not pattern.fullmatch(name):
        raise DefinitionError(f"{what} name '{name}' must match {pattern.pattern}")
    if name in taken:
        raise DefinitionError(f"{what} name '{name}' is used twice; {what} names must be unique")
    return name


def _parameters(items) -> dict[str, dict]:
    if not isinstance(items, list):
        raise DefinitionError("Parameters must be a list")
    parameters = {}
    for item in items:
        name = _name(item, "parameter", PARAMETER_NAME, parameters)
        kind = item.get("Type", "String")
        if kind not in PARAMETER_TYPES:
            raise DefinitionError(f"parameter '{name}' has Type '{kind}'; the types are {', '.join(PARAMETER_TYPES)}")
        if "DefaultValue" in item and not _is_type(item["DefaultValue"], kind):
            raise DefinitionError(f"the DefaultValue of parameter '{name}' is not a {kind}")
        enum = item.get("EnumValues")
        if enum is not None and (not isinstance(enum, list) or not all(_is_type(v, kind) for v in enum)):
            raise DefinitionError(f"the EnumValues of parameter '{name}' must be a list of {kind} values")
        parameters[name] = {**item, "Type": kind}
    return parameters


def _read(name: str, kind: str, text: str):
    try:
        if kind == "Integer":
            return int(text)
        if kind == "Float":
            return float(text)
        if kind == "Boolean":
            return {"true": True, "false": False}[text.strip().lower()]
        return text
    except (ValueError, KeyError):
        raise ValidationException(f"Value '{text}' of parameter '{name}' is not a {kind}") from None


def _is_type(value, kind: str) -> bool:
    if kind == "Boolean":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if kind == "Integer":
        return isinstance(value, int)
    if kind == "Float":
        return isinstance(value, (int, float))
    return isinstance(value, str)


def _collect(items, steps: dict[str, Step], parent: str | None, branch: str | None) -> None:
    for item in items:
        name = _name(item, "step", STEP_NAME, steps)
        kind = item.get("Type")
        if kind not in STEP_TYPES:
            raise DefinitionError(f"step '{name}' has Type '{kind}', which is not a pipeline step type "
                                  f"({', '.join(STEP_TYPES)})")
        if not isinstance(item.get("Arguments", {}), (dict, list, str)) or \
                not isinstance(item.get("DependsOn") or [], list):
            raise DefinitionError(f"step '{name}': Arguments must be an object and DependsOn a list of step names")
        step = steps[name] = Step(name, kind, item, parent, branch)
        for member, longest in (("DisplayName", 256), ("Description", 3072)):
            if member in item and (not isinstance(item[member], str) or len(item[member]) > longest):
                raise DefinitionError(f"step '{name}': {member} must be text of at most {longest} characters")
        problem = cache.config_problem(item.get("CacheConfig") or {})
        if problem:
            raise DefinitionError(f"step '{name}': {problem}")
        if not isinstance(item.get("RetryPolicies") or [], list):
            raise DefinitionError(f"step '{name}': RetryPolicies must be a list")
        for policy in step.retry_policies:
            problem = retry.policy_problem(policy)
            if problem:
                raise DefinitionError(f"step '{name}': RetryPolicies: {problem}")
        if kind == "Condition":
            arguments = item.get("Arguments")
            if not isinstance(arguments, dict) or not isinstance(arguments.get("Conditions", []), list):
                raise DefinitionError(f"condition step '{name}' needs Arguments with a list of Conditions")
            for child_branch in BRANCHES:
                children = arguments.get(child_branch, [])
                if not isinstance(children, list):
                    raise DefinitionError(f"condition step '{name}': {child_branch} must be a list of steps")
                _collect(children, steps, step.name, child_branch)


def _waits_for(step: Step, steps: dict[str, Step], parameters: dict) -> set[str]:
    waits = set()
    for name in step.depends_on:
        if name not in steps:
            raise DefinitionError(f"step '{step.name}' depends on '{name}', which is not a step of the pipeline")
        if steps[name].type == "Fail":
            raise DefinitionError(f"{step.name} can not depends on {name}: a Fail step ends the execution")
        waits.add(name)
    for reference in gets(step.expressions()):
        referenced = _check_reference(reference, f"step '{step.name}'", steps, parameters, allow_steps=True)
        if referenced:
            waits.add(referenced)
    if step.parent:
        waits.add(step.parent)
    if step.name in waits:
        raise DefinitionError(f"step '{step.name}' depends on itself")
    return waits


def _check_reference(reference: str, where: str, steps: dict[str, Step], parameters: dict,
                     allow_steps: bool) -> str | None:
    """The step a `Get` reads (None for parameters and variables); DefinitionError when it
    names nothing there is."""
    root, _, rest = reference.partition(".")
    if root == "Parameters":
        if rest not in parameters:
            raise DefinitionError(f"{where} reads Parameters.{rest}, which is not a parameter of the pipeline")
        return None
    if root == "Execution":
        if rest not in EXECUTION_VARIABLES:
            raise DefinitionError(f"{where} reads Execution.{rest}; the execution variables are "
                                  f"{', '.join(EXECUTION_VARIABLES)}")
        return None
    if root == "PipelineExperimentConfig" and rest in EXPERIMENT_MEMBERS:
        return None
    if root != "Steps" or not allow_steps:
        raise DefinitionError(f"{where} has Get '{reference}', which names no parameter, execution variable"
                              f"{' or step property' if allow_steps else ''}")
    name, _, path = rest.partition(".")
    step = steps.get(name)
    if step is None:
        raise DefinitionError(f"{where} reads '{reference}', but there is no step named '{name}'")
    check_property_path(step, path, reference)
    return name


def check_property_path(step: Step, path: str, reference: str) -> None:
    try:
        parsed = PropertyPath.parse(path)
    except ValueError as error:
        raise DefinitionError(f"'{reference}' is not a property reference: {error}")
    if step.type == "Fail":
        raise DefinitionError(f"'{reference}' reads a Fail step, which has no properties")
    if step.type in NOT_EMULATED:
        return
    first = parsed.segments[0] if parsed.segments else None
    if step.type == "Condition":
        if path != "Outcome":
            raise DefinitionError(f"'{reference}': a condition step's one property is Outcome")
        return
    if step.type in ("Callback", "Lambda"):
        declared = [o.get("OutputName") for o in step.outputs]
        if len(parsed.segments) != 2 or first != "OutputParameters" or parsed.segments[1] not in declared:
            raise DefinitionError(f"'{reference}': the properties of {step.type} step '{step.name}' are "
                                  "OutputParameters['<name>'] of its declared outputs "
                                  f"({', '.join(map(str, declared))})")
        return
    if step.type == "Processing" and first == "PropertyFiles":
        declared = [f.get("PropertyFileName") for f in step.property_files]
        if len(parsed.segments) != 2 or parsed.segments[1] not in declared:
            raise DefinitionError(f"'{reference}': step '{step.name}' declares no property file "
                                  f"{parsed.segments[1] if len(parsed.segments) > 1 else ''} "
                                  f"(its PropertyFiles: {', '.join(map(str, declared)) or 'none'})")
        return
    problems = [parsed.problem(service_model("sagemaker").shape_for(shape)) for shape in PROPERTY_SHAPES[step.type]]
    if all(problems):
        raise DefinitionError(f"'{reference}' is not a property of {step.type} step '{step.name}': {problems[0]}")


def _topological(steps: dict[str, Step], upstream: dict[str, set[str]]) -> list[str]:
    """Steps in definition order as far as their dependencies allow; a cycle is refused with its path."""
    ordered, state = [], {}  # state: 1 visiting, 2 done

    def visit(name: str, trail: list[str]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            cycle = trail[trail.index(name):] + [name]
            raise DefinitionError(f"the steps depend on each other in a cycle: {' -> '.join(cycle)}")
        state[name] = 1
        for dependency in sorted(upstream[name], key=list(steps).index):
            visit(dependency, trail + [name])
        state[name] = 2
        ordered.append(name)

    for name in steps:
        visit(name, [])
    return ordered
