"""Where the registry's groups and packages are kept, and finding one by name or ARN.

A group's or package's store key is its ARN's resource part ("churn", "churn/3",
"my-unversioned"), which SageMaker writes in lower case: names are unique regardless of
case, and Describe/Delete by name, by versioned name ("churn/3") or by ARN is one lookup.
"""

import re

from ...aws.errors import ValidationException
from ...backing.identity import EXECUTION_ROLE, SESSION_NAME
from ...store import Conflict, Store
from ..arns import arn
from ..resources import Resources, already_exists
from . import packages
from .groups import MODEL_PACKAGE_GROUP
from .packages import MODEL_PACKAGE

_ARN = re.compile(r"arn:aws[a-z\-]*:sagemaker:(?P<region>[a-z0-9\-]*):(?P<account>[0-9]{12}):"
                  r"(?P<resource>[a-z\-]*)/(?P<name>.+)")


def resource_name(resource_arn: str) -> str:
    return resource_arn.split(":", 5)[-1].split("/", 1)[1]


class ArnKeyed(Resources):
    """Resources stored under their ARN's resource part (see the module's docstring)."""

    def add(self, doc: dict) -> None:
        key = resource_name(doc[self.kind.arn_key])
        try:
            self.store.insert(self.kind.kind, key, doc)
        except Conflict:
            existing = self.find(key)
            raise (self.kind.duplicate(existing) if self.kind.duplicate else already_exists(self.kind, existing))


class ModelRegistry:
    def __init__(self, store: Store, region: str, account: str):
        self.groups = ArnKeyed(store, MODEL_PACKAGE_GROUP)
        self.packages = ArnKeyed(store, MODEL_PACKAGE)
        self.region = region
        self.account = account

    @property
    def resources(self) -> list[Resources]:
        """What Tagging (and Search) serve of the registry."""
        return [self.groups, self.packages]

    def user(self) -> dict:
        """CreatedBy/LastModifiedBy: the caller, who is always the session STS answers with."""
        return {"IamIdentity": {"Arn": f"arn:aws:sts::{self.account}:assumed-role/{EXECUTION_ROLE}/{SESSION_NAME}"}}

    def key(self, name_or_arn: str, resource: str) -> str | None:
        """The store key a name or ARN of that resource type means; None for another
        account's, region's or type's ARN."""
        match = _ARN.fullmatch(name_or_arn)
        if match is None:
            return name_or_arn.lower()
        if (match["region"], match["account"], match["resource"]) != (self.region, self.account, resource):
            return None
        return match["name"].lower()

    def _find(self, resources: Resources, name_or_arn: str) -> dict:
        resource = resources.kind.kind
        key = self.key(name_or_arn, resource)
        doc = resources.find(key) if key is not None else None
        if doc is None:
            named = (name_or_arn if _ARN.fullmatch(name_or_arn)
                     else arn(self.region, self.account, resource, name_or_arn))
            # AWS's words (the SDK and users' scripts match "does not exist").
            raise ValidationException(f"{resources.kind.prefix} {named} does not exist.")
        return doc

    def group(self, name_or_arn: str) -> dict:
        return self._find(self.groups, name_or_arn)

    def package(self, name_or_arn: str) -> dict:
        return self._find(self.packages, name_or_arn)

    def versions(self, group: dict) -> list[dict]:
        """The packages of a group, oldest first."""
        name = group["ModelPackageGroupName"].lower()
        return [d for d in self.packages.all() if d.get("ModelPackageGroupName", "").lower() == name]

    def model_containers(self, container: dict) -> list[dict]:
        """What CreateModel runs for a container naming a ModelPackageName."""
        return packages.model_containers(self.package(container["ModelPackageName"]), container)
