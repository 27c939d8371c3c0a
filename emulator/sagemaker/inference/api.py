"""Models, endpoint configurations and endpoints: the SageMaker operations of hosting."""

import time

from ...aws.errors import ValidationException
from ..resources import Resources
from ..tagging import Tagging
from . import endpoint_configs, endpoints, models
from .endpoints import EndpointService


OPERATIONS = ("create_model", "describe_model", "list_models", "delete_model",
              "create_endpoint_config", "describe_endpoint_config", "list_endpoint_configs", "delete_endpoint_config",
              "create_endpoint", "describe_endpoint", "list_endpoints", "update_endpoint", "delete_endpoint")


class InferenceApi:
    def __init__(self, models: Resources, configs: Resources, hosting: EndpointService, tagging: Tagging,
                 region: str, account: str, model_packages):
        """model_packages: the Model Registry, which CreateModel asks for a ModelPackageName's containers."""
        self.models = models
        self.model_packages = model_packages
        self.configs = configs
        self.hosting = hosting
        self.endpoints = hosting.endpoints
        self.tagging = tagging
        self.region = region
        self.account = account

    def methods(self) -> dict:
        return {name: getattr(self, name) for name in OPERATIONS}

    # -- models ----------------------------------------------------------------------------

    def create_model(self, request: dict) -> dict:
        doc = models.new_document(request, self.region, self.account, time.time(), self.model_packages)
        self.models.add(doc)
        self.tagging.tag_new(doc["ModelArn"], request)
        return {"ModelArn": doc["ModelArn"]}

    def describe_model(self, request: dict) -> dict:
        return self.models.get(request["ModelName"])

    def list_models(self, request: dict) -> dict:
        return self.models.query(request)

    def delete_model(self, request: dict) -> dict:
        self.models.get(request["ModelName"])
        self.models.remove(request["ModelName"])
        return {}

    # -- endpoint configs ------------------------------------------------------------------

    def create_endpoint_config(self, request: dict) -> dict:
        doc = endpoint_configs.new_document(request, self.region, self.account, time.time(),
                                            model_exists=lambda name: self.models.find(name) is not None)
        self.configs.add(doc)
        self.tagging.tag_new(doc["EndpointConfigArn"], request)
        return {"EndpointConfigArn": doc["EndpointConfigArn"]}

    def describe_endpoint_config(self, request: dict) -> dict:
        return self.configs.get(request["EndpointConfigName"])

    def list_endpoint_configs(self, request: dict) -> dict:
        return self.configs.query(request)

    def delete_endpoint_config(self, request: dict) -> dict:
        name = request["EndpointConfigName"]
        doc = self.configs.get(name)
        for endpoint in self.endpoints.all():
            busy = endpoint["EndpointStatus"] in ("Creating", "Updating")
            pending = endpoint.get("PendingDeploymentSummary", {}).get("EndpointConfigName")
            if busy and name in (endpoint["EndpointConfigName"], pending):
                raise ValidationException(f'Cannot delete endpoint configuration "{doc["EndpointConfigArn"]}": '
                                          f'endpoint "{endpoint["EndpointName"]}" is being created or '
                                          "updated with it.")
        self.configs.remove(name)
        return {}

    # -- endpoints ---------------------------------------------------------------------------

    def _config_and_models(self, config_name: str) -> tuple[dict, dict]:
        config = self.configs.get(config_name)
        used = {v["ModelName"]: self.models.get(v["ModelName"]) for v in config["ProductionVariants"]}
        return config, used

    def create_endpoint(self, request: dict) -> dict:
        config, used = self._config_and_models(request["EndpointConfigName"])
        doc = endpoints.new_document(request["EndpointName"], config, self.region, self.account, time.time())
        self.hosting.create(doc, config, used)
        self.tagging.tag_new(doc["EndpointArn"], request)
        return {"EndpointArn": doc["EndpointArn"]}

    def describe_endpoint(self, request: dict) -> dict:
        return self.endpoints.get(request["EndpointName"])

    def list_endpoints(self, request: dict) -> dict:
        return self.endpoints.query(request)

    def update_endpoint(self, request: dict) -> dict:
        doc = self.endpoints.get(request["EndpointName"])
        endpoints.check_can_update(doc)
        config, used = self._config_and_models(request["EndpointConfigName"])
        self.hosting.update(doc["EndpointName"], config, used)
        return {"EndpointArn": doc["EndpointArn"]}

    def delete_endpoint(self, request: dict) -> dict:
        doc = self.endpoints.get(request["EndpointName"])
        endpoints.check_can_delete(doc)
        self.hosting.delete(doc["EndpointName"])
        return {}
