"""The Model Registry: model package groups and the model packages registered in them.

A model package names what serves a trained model (its InferenceSpecification: image,
model data, environment, content and instance types) with what a reviewer needs (metrics,
metadata, an approval status). Created with a ModelPackageGroupName it is a version of that
group (1, 2, ...; `.../model-package/<group>/<version>`); with a ModelPackageName it is an
unversioned package (AWS Marketplace's kind). CreateModel with
`{"ModelPackageName": ...}` makes a model of an approved version: the model's containers
are the package's (inference/models.py asks `ModelRegistry.model_containers`).

- `groups.py`, `packages.py`: the documents (as Describe* returns them) and their rules;
- `model_registry.py`: where they are kept, and finding one by name or ARN;
- `api.py`: the operations (`RegistryApi.methods()`), which a pipeline's RegisterModel step
  calls too, as a user does.
"""
