"""Step caching (a step's CacheConfig): a step whose arguments match a successful earlier run
is not run again; it takes that run's properties and reports CacheHitResult.

The key is the step's type and name in its pipeline and, of its resolved arguments, the
attributes AWS documents as deciding a rerun ("Default cache key attributes by pipeline step
type"): for a processing step AppSpecification, Environment and ProcessingInputs, so that a
processing step whose outputs go to a path with the execution's id in it still hits. Only the
step types AWS caches take part; ExpireAfter (an ISO 8601 duration: "PT1H", "P30D", or the
short forms AWS's guide shows, "30d", "T16m", "30dT5h") bounds how old the earlier run may be,
counted from its end.
"""

import hashlib
import json
import re


KEY_ATTRIBUTES = {
    "Processing": ("AppSpecification", "Environment", "ProcessingInputs"),
    "Training": ("AlgorithmSpecification", "CheckpointConfig", "DebugHookConfig", "DebugRuleConfigurations",
                 "Environment", "HyperParameters", "InputDataConfig"),
    "Tuning": ("HyperParameterTuningJobConfig", "TrainingJobDefinition", "TrainingJobDefinitions"),
    "Transform": ("DataProcessing", "Environment", "ModelName", "TransformInput"),
}
# Of a tuning step's TrainingJobDefinition(s), the members that make it run again.
_TUNING_DEFINITION = ("AlgorithmSpecification", "HyperParameterRanges", "InputDataConfig",
                      "StaticHyperParameters", "TuningObjective")
_DURATION = re.compile(r"P?(?:(?P<Y>\d+)Y)?(?:(?P<MO>\d+)M)?(?:(?P<W>\d+)W)?(?:(?P<D>\d+)D)?"
                       r"(?:T(?:(?P<H>\d+)H)?(?:(?P<MI>\d+)M)?(?:(?P<S>\d+)S)?)?", re.IGNORECASE)
_SECONDS = {"Y": 365 * 86400, "MO": 30 * 86400, "W": 7 * 86400, "D": 86400, "H": 3600, "MI": 60, "S": 1}


def cacheable(step_type: str, cache_config: dict) -> bool:
    return bool(cache_config.get("Enabled")) and step_type in KEY_ATTRIBUTES


def expire_seconds(text: str | None) -> float | None:
    """ExpireAfter in seconds; None for no limit. ValueError for text that is no duration."""
    if text is None:
        return None
    match = _DURATION.fullmatch(text.strip())
    if not text.strip() or match is None or not any(match.groupdict().values()):
        raise ValueError(f"ExpireAfter '{text}' is not an ISO 8601 duration (e.g. PT1H, P30D, 30dT5h)")
    return float(sum(int(v) * _SECONDS[k] for k, v in match.groupdict().items() if v))


def config_problem(cache_config) -> str | None:
    """Why a CacheConfig is not one, or None."""
    if not isinstance(cache_config, dict):
        return "CacheConfig must be an object"
    try:
        expire_seconds(cache_config.get("ExpireAfter"))
    except (ValueError, AttributeError):
        return f"CacheConfig.ExpireAfter {cache_config.get('ExpireAfter')!r} is not an ISO 8601 duration " \
               "(e.g. PT1H, P30D, 30dT5h)"
    return None


def cache_key(pipeline_arn: str, step_name: str, step_type: str, arguments: dict) -> str:
    keyed = {name: arguments[name] for name in KEY_ATTRIBUTES[step_type] if name in arguments}
    if step_type == "Tuning":
        for name in ("TrainingJobDefinition", "TrainingJobDefinitions"):
            if name in keyed:
                keyed[name] = _tuning_definitions(keyed[name])
    text = json.dumps([pipeline_arn, step_name, step_type, keyed], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _tuning_definitions(value):
    if isinstance(value, list):
        return [_tuning_definitions(item) for item in value]
    return {k: v for k, v in value.items() if k in _TUNING_DEFINITION} if isinstance(value, dict) else value


def find_hit(executions: list[dict], key: str, step_name: str, now: float, expire: float | None):
    """(the execution, the step record) of the latest successful run with this key that has
    not expired, or None. A run that was itself a cache hit is not a source: its source is."""
    best = None
    for execution in executions:
        for record in execution.get("Steps", []):
            if (record.get("CacheKey") != key or record["StepName"] != step_name or record["StepStatus"] != "Succeeded"
                    or "CacheHitResult" in record or "EndTime" not in record):
                continue
            if expire is not None and now - record["EndTime"] > expire:
                continue
            if best is None or record["EndTime"] > best[1]["EndTime"]:
                best = (execution, record)
    return best
