"""AddTags, ListTags, DeleteTags over every resource kind, and the Tags of a Create request."""

from ..aws.errors import not_found
from ..store import Store
from .paging import page
from .resources import Resources


class Tagging:
    def __init__(self, store: Store, resources: list[Resources]):
        self.store = store
        self.by_kind = {r.kind.kind: r for r in resources}

    def methods(self) -> dict:
        return {"add_tags": self.add_tags, "list_tags": self.list_tags, "delete_tags": self.delete_tags}

    def tag_new(self, arn: str, request: dict) -> None:
        if request.get("Tags"):
            self.store.add_tags(arn, request["Tags"])

    def _require_resource(self, arn: str) -> None:
        """An ARN of a kind the emulator serves must name a resource that exists."""
        resources = self.by_kind.get(arn.split(":", 5)[-1].split("/", 1)[0])
        if resources is not None and not any(d[resources.kind.arn_key] == arn for d in resources.all()):
            raise not_found()

    def add_tags(self, request: dict) -> dict:
        self._require_resource(request["ResourceArn"])
        self.store.add_tags(request["ResourceArn"], request["Tags"])
        return {"Tags": self.store.tags(request["ResourceArn"])}

    def list_tags(self, request: dict) -> dict:
        self._require_resource(request["ResourceArn"])
        tags, token = page(self.store.tags(request["ResourceArn"]), request.get("MaxResults"),
                           request.get("NextToken"), default=50)
        return {"Tags": tags, **({"NextToken": token} if token else {})}

    def delete_tags(self, request: dict) -> dict:
        self._require_resource(request["ResourceArn"])
        self.store.remove_tags(request["ResourceArn"], request["TagKeys"])
        return {}
