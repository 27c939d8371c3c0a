"""The Model Registry's operations: model package groups and model packages."""

import time

from ...aws.errors import ServiceError, ValidationException
from ..resources import list_page
from ..tagging import Tagging
from . import groups, packages
from .model_registry import ModelRegistry, resource_name

OPERATIONS = ("create_model_package_group", "describe_model_package_group", "list_model_package_groups",
              "delete_model_package_group", "create_model_package", "describe_model_package",
              "list_model_packages", "update_model_package", "delete_model_package")
# ListModelPackages without a group lists AWS's default type only.
_TYPES = {"Versioned": packages.is_versioned, "Unversioned": lambda d: not packages.is_versioned(d),
          "Both": lambda d: True}


class ConflictException(ServiceError):
    code = "ConflictException"


class RegistryApi:
    def __init__(self, registry: ModelRegistry, tagging: Tagging):
        self.registry = registry
        self.groups = registry.groups
        self.packages = registry.packages
        self.tagging = tagging

    def methods(self) -> dict:
        return {name: getattr(self, name) for name in OPERATIONS}

    # -- groups ----------------------------------------------------------------------------

    def create_model_package_group(self, request: dict) -> dict:
        return self._add(self.groups, groups.new_document(request, self.registry.region, self.registry.account,
                                                          time.time(), self.registry.user()), request)

    def describe_model_package_group(self, request: dict) -> dict:
        return self.registry.group(request["ModelPackageGroupName"])

    def list_model_package_groups(self, request: dict) -> dict:
        # Nothing is shared from other accounts: CrossAccount lists none.
        docs = [] if request.get("CrossAccountFilterOption") == "CrossAccount" else self.groups.all()
        return list_page(docs, request, self.groups.kind)

    def delete_model_package_group(self, request: dict) -> dict:
        doc = self.registry.group(request["ModelPackageGroupName"])
        versions = self.registry.versions(doc)
        if versions:
            raise ConflictException(f"Model Package Group {doc['ModelPackageGroupArn']} cannot be deleted while it "
                                    f"has model packages ({len(versions)}): delete them first (DeleteModelPackage)")
        self._remove(self.groups, doc)
        return {}

    # -- packages ----------------------------------------------------------------------------

    def create_model_package(self, request: dict) -> dict:
        group_name, name = request.get("ModelPackageGroupName"), request.get("ModelPackageName")
        if group_name and name:
            raise ValidationException("Both ModelPackageName and ModelPackageGroupName are provided in the input. "
                                      "Cannot determine which one to use.")
        if not group_name and not name:
            raise ValidationException("Missing ARN: specify ModelPackageGroupName (a version in a model package "
                                      "group) or ModelPackageName (an unversioned model package).")
        token = request.get("ClientToken")
        if token:
            again = next((d for d in self.packages.all() if d.get(packages.CLIENT_TOKEN) == token), None)
            if again is not None:
                return {"ModelPackageArn": again["ModelPackageArn"]}
        group = version = None
        if group_name:
            group = self.registry.group(group_name)
            packages.check_specifications(request, versioned=True)  # before a version number is taken
            group = self.groups.store.update(self.groups.kind.kind, resource_name(group["ModelPackageGroupArn"]),
                                             groups.take_version)
            version = group[groups.LATEST_VERSION]
        doc = packages.new_document(request, group, version, self.registry.region, self.registry.account,
                                    time.time(), self.registry.user())
        return self._add(self.packages, doc, request)

    def describe_model_package(self, request: dict) -> dict:
        return self.registry.package(request["ModelPackageName"])

    def list_model_packages(self, request: dict) -> dict:
        docs = self.packages.all()
        group = request.get("ModelPackageGroupName")
        if group:
            key = self.registry.key(group, self.groups.kind.kind)
            docs = [d for d in docs if d.get("ModelPackageGroupName", "").lower() == key]
        wanted = _TYPES[request.get("ModelPackageType") or ("Both" if group else "Unversioned")]
        docs = [d for d in docs if wanted(d)]
        return packages.summary_list(list_page(docs, request, self.packages.kind))

    def update_model_package(self, request: dict) -> dict:
        doc = self.registry.package(request["ModelPackageArn"])
        now, by = time.time(), self.registry.user()
        self.packages.store.update(self.packages.kind.kind, resource_name(doc["ModelPackageArn"]),
                                   lambda stored: packages.apply_update(stored, request, now, by))
        return {"ModelPackageArn": doc["ModelPackageArn"]}

    def delete_model_package(self, request: dict) -> dict:
        self._remove(self.packages, self.registry.package(request["ModelPackageName"]))
        return {}

    def _add(self, resources, doc: dict, request: dict) -> dict:
        """Create*'s answer, once the resource is stored and tagged."""
        resources.add(doc)
        self.tagging.tag_new(doc[resources.kind.arn_key], request)
        return {resources.kind.arn_key: doc[resources.kind.arn_key]}

    def _remove(self, resources, doc: dict) -> None:
        """The resource and its tags (a group or package made again later starts untagged)."""
        resource_arn = doc[resources.kind.arn_key]
        resources.remove(resource_name(resource_arn))
        store = resources.store
        store.remove_tags(resource_arn, [t["Key"] for t in store.tags(resource_arn)])
