"""SageMaker Pipelines, executed for real: a pipeline definition (the JSON the SDK writes) runs
its steps as the jobs, models and model packages a user would create, through SageMakerApi.

- resources.py: the stored documents (pipelines, their definition versions, executions with
  their steps) and their Kinds.
- definition.py: the definition parsed and checked, and its DAG (DependsOn, data references,
  a condition's branches).
- expressions.py: Get (parameters, execution variables, step properties), Std:Join,
  Std:JsonGet over property files, and conditions.
- engine.py: runs an execution (order, parallelism, caching, retries, stop, failure, restart).
- cache.py, retry.py: CacheConfig's keys and expiry; RetryPolicies' arithmetic.
- steps/: one module per step type, each turning the step's resolved arguments into the
  operations a user would call and reading its properties from their Describe answers.
- api.py: the operations (CreatePipeline ... SendPipelineExecutionStepSuccess), one method each.
"""
