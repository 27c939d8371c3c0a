"""What CreateHyperParameterTuningJob checks beyond the botocore model: the rules between
members that AWS documents, with AWS's wording where it is known (the "enough combinations"
message is AWS's own), and what the emulator does not serve.

- One of TrainingJobDefinition / TrainingJobDefinitions; with several definitions, each has a
  unique DefinitionName and its own TuningObjective (all of one Type, so that one best trial
  can be chosen) and HyperParameterRanges.
- The objective metric is one the trials will report: a MetricDefinitions name of the
  definition or, on a built-in algorithm's image (XGBoost's) run as the algorithm, one of the
  objectives the algorithm offers for tuning (images.job_metric_definitions and
  builtin_tuning_objectives).
- Ranges (parameter_space.py): numbers, MinValue <= MaxValue, each ScalingType's domain; a
  hyperparameter is either static or tuned, not both.
- Strategy: Grid takes only categorical ranges, and MaxNumberOfTrainingJobs, when given, must
  equal the number of combinations; the other strategies need MaxNumberOfTrainingJobs (the
  emulator's choice: AWS's model has it optional since Grid came) and, when every range is
  discrete, at least that many combinations. Hyperband needs TrainingJobEarlyStoppingType Off
  and a MaxResource (given, or inferred from an epochs hyperparameter, at most 20,000);
  StrategyConfig is for Hyperband only.
- Limits (AWS's documented quotas, ResourceLimitExceeded): at most 750 training jobs a tuning
  job (10,000 with Random), 100 in parallel.
- WarmStartConfig: the parents exist and have ended, with the same objective; with
  IdenticalDataAndAlgorithm also the same image and input data; Bayesian or Random only (AWS's
  documentation of warm start names those two).
"""

from ....aws.errors import ResourceLimitExceeded, ValidationException
from ... import images
from .job import TERMINAL, Definition, definition_specs, definitions, resource_config

MAX_JOBS = 750
MAX_JOBS_RANDOM = 10000
MAX_PARALLEL = 100
MAX_RESOURCE = 20000


def objective_metric_names(algorithm: dict, static: dict[str, str]) -> set[str]:
    """The metrics a trial's training job reports and a tuning job may optimise: those its
    training job matches (its own MetricDefinitions, else a built-in algorithm's, exactly as the
    training job kind chooses them), less, for a built-in algorithm, those it does not offer
    for tuning (XGBoost tunes on validation:* metrics)."""
    names = {d["Name"] for d in images.job_metric_definitions(algorithm, static)}
    if not algorithm.get("MetricDefinitions"):
        names &= {o["MetricName"] for o in images.builtin_tuning_objectives(algorithm.get("TrainingImage", ""))}
    return names


def check_request(request: dict, parents: list[dict]) -> list[Definition]:
    """The request's definitions, once every rule holds (a ValidationException otherwise).
    parents: the warm start's parent tuning jobs' documents, as stored."""
    if request.get("Autotune"):
        raise ValidationException("Autotune is not supported by the emulator; give the tuning job's "
                                  "ParameterRanges, ResourceLimits and Strategy")
    config = request["HyperParameterTuningJobConfig"]
    _check_definitions(request, config)
    found = definitions(request)
    for definition in found:
        _check_definition(definition)
    if len({d.objective["Type"] for d in found}) > 1:
        raise ValidationException("The TuningObjective of every training job definition must have the same Type")
    _check_strategy(config, found)
    if "WarmStartConfig" in request:
        _check_warm_start(request["WarmStartConfig"], config["Strategy"], found, parents)
    return found


def _check_definitions(request: dict, config: dict) -> None:
    if ("TrainingJobDefinition" in request) == ("TrainingJobDefinitions" in request):
        raise ValidationException("Exactly one of TrainingJobDefinition and TrainingJobDefinitions must be specified")
    if "TrainingJobDefinition" in request:
        if not (config.get("HyperParameterTuningJobObjective")
                or request["TrainingJobDefinition"].get("TuningObjective")):
            raise ValidationException("HyperParameterTuningJobConfig.HyperParameterTuningJobObjective must be "
                                      "specified")
        return
    for member in ("HyperParameterTuningJobObjective", "ParameterRanges"):
        if member in config:
            raise ValidationException(f"With TrainingJobDefinitions, {member} is given in each definition "
                                      f"(TuningObjective, HyperParameterRanges), not in HyperParameterTuningJobConfig")
    names = [spec.get("DefinitionName") for spec in definition_specs(request)]
    if None in names:
        raise ValidationException("Each of TrainingJobDefinitions must have a DefinitionName")
    if len(set(names)) != len(names):
        raise ValidationException(f"The DefinitionName of each training job definition must be unique: {names}")
    for spec in definition_specs(request):
        if "TuningObjective" not in spec:
            raise ValidationException(f"Training job definition {spec['DefinitionName']} must have a TuningObjective")


def _check_definition(definition: Definition) -> None:
    spec, where = definition.spec, definition.name or "TrainingJobDefinition"
    algorithm = spec["AlgorithmSpecification"]
    image = algorithm.get("TrainingImage")
    if not image:
        raise ValidationException(f"{where}: AlgorithmName (marketplace algorithms) is not supported by the "
                                  "emulator; specify AlgorithmSpecification.TrainingImage"
                                  if algorithm.get("AlgorithmName") else
                                  f"{where}: AlgorithmSpecification.TrainingImage must be specified")
    if "ResourceConfig" not in spec and "HyperParameterTuningResourceConfig" not in spec:
        raise ValidationException(f"{where}: one of ResourceConfig and HyperParameterTuningResourceConfig "
                                  "must be specified")
    for member in ("InstanceType", "InstanceCount"):
        if member not in resource_config(spec):
            raise ValidationException(f"{where}: ResourceConfig.{member} must be specified")
    metric = definition.objective["MetricName"]
    defined = objective_metric_names(algorithm, definition.static)
    if metric not in defined:
        raise ValidationException(f"{where}: the objective metric '{metric}' is not one of the metrics the "
                                  f"training jobs report: define it in AlgorithmSpecification.MetricDefinitions "
                                  f"(defined: {', '.join(sorted(defined)) or 'none'})")
    both = sorted(set(definition.static) & set(definition.space.names))
    if both:
        raise ValidationException(f"{where}: hyperparameters cannot be both static and tunable: {', '.join(both)}")


def _check_strategy(config: dict, found: list[Definition]) -> None:
    strategy = config["Strategy"]
    limits = config["ResourceLimits"]
    max_jobs = limits.get("MaxNumberOfTrainingJobs")
    if "StrategyConfig" in config and strategy != "Hyperband":
        raise ValidationException("StrategyConfig should be provided only if Hyperband is selected as the Strategy")
    if strategy == "Grid":
        numeric = sorted(r.name for d in found for r in d.space.ranges if r.kind != "Categorical")
        if numeric:
            raise ValidationException("Only categorical parameters are supported when using the Grid strategy; "
                                      f"integer or continuous ranges given: {', '.join(numeric)}")
        combinations = sum(d.space.combinations() for d in found)
        if max_jobs is not None and max_jobs != combinations:
            raise ValidationException(f"With the Grid strategy, MaxNumberOfTrainingJobs ({max_jobs}) must equal the "
                                      f"total number of distinct categorical combinations ({combinations})")
        max_jobs = combinations
    else:
        if max_jobs is None:
            raise ValidationException(f"ResourceLimits.MaxNumberOfTrainingJobs must be specified for the {strategy} "
                                      "strategy")
        counts = [d.space.combinations() for d in found]
        if None not in counts and sum(counts) < max_jobs:
            raise ValidationException(
                "You don't have enough combinations of hyperparameter ranges. The total number of hyperparameter "
                f"combinations for the provided ranges [{float(sum(counts))}] must be equal or greater than the "
                f"value of MaxNumberOfJobs, [{max_jobs}]. Provide additional ranges.")
    ceiling = MAX_JOBS_RANDOM if strategy == "Random" else MAX_JOBS
    if max_jobs > ceiling:
        raise ResourceLimitExceeded(f"The number of training jobs of a {strategy} tuning job ({max_jobs}) exceeds "
                                    f"the limit of {ceiling}")
    if limits["MaxParallelTrainingJobs"] > MAX_PARALLEL:
        raise ResourceLimitExceeded(f"MaxParallelTrainingJobs ({limits['MaxParallelTrainingJobs']}) exceeds the "
                                    f"limit of {MAX_PARALLEL} parallel training jobs per tuning job")
    if strategy == "Hyperband":
        _check_hyperband(config, found)


def _check_hyperband(config: dict, found: list[Definition]) -> None:
    if config.get("TrainingJobEarlyStoppingType", "Off") != "Off":
        raise ValidationException("TrainingJobEarlyStoppingType must be Off to use the Hyperband strategy, "
                                  "which has its own internal early stopping")
    given = config.get("StrategyConfig", {}).get("HyperbandStrategyConfig", {})
    for definition in found:
        maximum = given.get("MaxResource") or definition.epochs_hyperparameter()
        if maximum is None:
            raise ValidationException("HyperbandStrategyConfig.MaxResource is not given and cannot be inferred from "
                                      "the StaticHyperParameters (none of epochs, numepochs, n-epochs, n_epochs, "
                                      "num_epochs)")
        minimum = given.get("MinResource", 1)
        if not 1 <= maximum <= MAX_RESOURCE:
            raise ValidationException(f"HyperbandStrategyConfig.MaxResource ({maximum}) must be between 1 and "
                                      f"{MAX_RESOURCE} epochs")
        if minimum > maximum:
            raise ValidationException(f"HyperbandStrategyConfig.MinResource ({minimum}) must not be greater than "
                                      f"MaxResource ({maximum})")


def _check_warm_start(warm_start: dict, strategy: str, found: list[Definition], parents: list[dict]) -> None:
    if strategy not in ("Bayesian", "Random"):
        raise ValidationException(f"WarmStartConfig is supported with the Bayesian and Random strategies, "
                                  f"not {strategy}")
    objectives = {(d.objective["Type"], d.objective["MetricName"]) for d in found}
    for parent in parents:
        name = parent["HyperParameterTuningJobName"]
        status = parent["HyperParameterTuningJobStatus"]
        if status not in TERMINAL:
            raise ValidationException(f"The parent tuning job {name} is {status}: every parent job must be in a "
                                      "terminal state (Completed, Stopped or Failed)")
        parent_definitions = definitions(parent)
        if {(d.objective["Type"], d.objective["MetricName"]) for d in parent_definitions} != objectives:
            raise ValidationException(f"The objective metric of the new tuning job must be the same as that of "
                                      f"the parent tuning job {name}")
        if warm_start["WarmStartType"] == "IdenticalDataAndAlgorithm":
            same = [(d.spec["AlgorithmSpecification"].get("TrainingImage"), d.spec.get("InputDataConfig"))
                    for d in parent_definitions]
            if any((d.spec["AlgorithmSpecification"].get("TrainingImage"), d.spec.get("InputDataConfig")) not in same
                   for d in found):
                raise ValidationException(f"With IdenticalDataAndAlgorithm, the training image and input data must "
                                          f"be the same as the parent tuning job {name}'s; use TransferLearning to "
                                          "change them")
