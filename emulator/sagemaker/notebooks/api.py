"""The SageMaker operations of notebook instances, their lifecycle configurations and Studio."""

import time

from ..resources import Resources
from ..tagging import Tagging
from . import signin
from .instances import NotebookInstances, checked_hooks
from .studio import Studio


class NotebookApi:
    def __init__(self, notebooks: NotebookInstances, tagging: Tagging):
        self.notebooks = notebooks
        self.instances = notebooks.instances
        self.configs: Resources = notebooks.configs
        self.tagging = tagging

    def methods(self) -> dict:
        names = ("create_notebook_instance", "describe_notebook_instance", "list_notebook_instances",
                 "start_notebook_instance", "stop_notebook_instance", "update_notebook_instance",
                 "delete_notebook_instance", "create_presigned_notebook_instance_url",
                 "create_notebook_instance_lifecycle_config", "describe_notebook_instance_lifecycle_config",
                 "list_notebook_instance_lifecycle_configs", "update_notebook_instance_lifecycle_config",
                 "delete_notebook_instance_lifecycle_config")
        return {name: getattr(self, name) for name in names}

    # -- instances -------------------------------------------------------------------------------

    def create_notebook_instance(self, request: dict) -> dict:
        doc = self.notebooks.create(request)
        self.tagging.tag_new(doc["NotebookInstanceArn"], request)
        return {"NotebookInstanceArn": doc["NotebookInstanceArn"]}

    def describe_notebook_instance(self, request: dict) -> dict:
        return self.instances.get(request["NotebookInstanceName"])

    def list_notebook_instances(self, request: dict) -> dict:
        return self.instances.query({"SortBy": "Name", **request})  # Name unless asked (AWS's default)

    def start_notebook_instance(self, request: dict) -> dict:
        self.notebooks.start(request["NotebookInstanceName"])
        return {}

    def stop_notebook_instance(self, request: dict) -> dict:
        self.notebooks.stop(request["NotebookInstanceName"])
        return {}

    def update_notebook_instance(self, request: dict) -> dict:
        self.notebooks.update(request)
        return {}

    def delete_notebook_instance(self, request: dict) -> dict:
        self.notebooks.delete(request["NotebookInstanceName"])
        return {}

    def create_presigned_notebook_instance_url(self, request: dict) -> dict:
        seconds = request.get("SessionExpirationDurationInSeconds", signin.DEFAULT_SESSION_SECONDS)
        return {"AuthorizedUrl": self.notebooks.presigned_url(request["NotebookInstanceName"], seconds)}

    # -- lifecycle configurations ------------------------------------------------------------------

    def create_notebook_instance_lifecycle_config(self, request: dict) -> dict:
        name = request["NotebookInstanceLifecycleConfigName"]
        config_arn = self.notebooks.config_arn(name)
        now = time.time()
        self.configs.add({"NotebookInstanceLifecycleConfigName": name, "NotebookInstanceLifecycleConfigArn": config_arn,
                          "CreationTime": now, "LastModifiedTime": now, **checked_hooks(request, name)})
        self.tagging.tag_new(config_arn, request)
        return {"NotebookInstanceLifecycleConfigArn": config_arn}

    def describe_notebook_instance_lifecycle_config(self, request: dict) -> dict:
        return self.notebooks.config(request["NotebookInstanceLifecycleConfigName"])

    def list_notebook_instance_lifecycle_configs(self, request: dict) -> dict:
        return self.configs.query(request)

    def update_notebook_instance_lifecycle_config(self, request: dict) -> dict:
        name = request["NotebookInstanceLifecycleConfigName"]
        self.notebooks.config(name, "update")
        hooks = checked_hooks(request, name)
        self.configs.update(name, lambda d: d.update(hooks))
        return {}

    def delete_notebook_instance_lifecycle_config(self, request: dict) -> dict:
        name = request["NotebookInstanceLifecycleConfigName"]
        self.notebooks.config(name, "delete")
        self.configs.remove(name)
        return {}


class StudioApi:
    def __init__(self, studio: Studio, tagging: Tagging):
        self.studio = studio
        self.tagging = tagging

    def methods(self) -> dict:
        names = ("create_domain", "describe_domain", "list_domains", "delete_domain",
                 "create_user_profile", "describe_user_profile", "list_user_profiles", "delete_user_profile",
                 "create_space", "describe_space", "list_spaces", "delete_space",
                 "create_app", "describe_app", "list_apps", "delete_app", "create_presigned_domain_url")
        return {name: getattr(self, name) for name in names}

    def _tagged(self, doc: dict, arn_key: str, request: dict) -> dict:
        self.tagging.tag_new(doc[arn_key], request)
        return doc

    def create_domain(self, request: dict) -> dict:
        doc = self._tagged(self.studio.create_domain(request), "DomainArn", request)
        return {"DomainArn": doc["DomainArn"], "DomainId": doc["DomainId"], "Url": doc["Url"]}

    def describe_domain(self, request: dict) -> dict:
        return self.studio.domain(request["DomainId"])

    def list_domains(self, request: dict) -> dict:
        return self.studio.domains.query({"SortOrder": "Ascending", **request})

    def delete_domain(self, request: dict) -> dict:
        self.studio.delete_domain(request["DomainId"])
        return {}

    def create_user_profile(self, request: dict) -> dict:
        return {"UserProfileArn": self._tagged(self.studio.create_user_profile(request), "UserProfileArn",
                                               request)["UserProfileArn"]}

    def describe_user_profile(self, request: dict) -> dict:
        return self.studio.profile(request["DomainId"], request["UserProfileName"])

    def list_user_profiles(self, request: dict) -> dict:
        return self.studio.profiles.query(request)

    def delete_user_profile(self, request: dict) -> dict:
        self.studio.delete_user_profile(request["DomainId"], request["UserProfileName"])
        return {}

    def create_space(self, request: dict) -> dict:
        return {"SpaceArn": self._tagged(self.studio.create_space(request), "SpaceArn", request)["SpaceArn"]}

    def describe_space(self, request: dict) -> dict:
        return self.studio.space(request["DomainId"], request["SpaceName"])

    def list_spaces(self, request: dict) -> dict:
        return self.studio.spaces.query(request)

    def delete_space(self, request: dict) -> dict:
        self.studio.delete_space(request["DomainId"], request["SpaceName"])
        return {}

    def create_app(self, request: dict) -> dict:
        return {"AppArn": self._tagged(self.studio.create_app(request), "AppArn", request)["AppArn"]}

    def describe_app(self, request: dict) -> dict:
        return self.studio.app(request)

    def list_apps(self, request: dict) -> dict:
        return self.studio.app_docs.query(request)

    def delete_app(self, request: dict) -> dict:
        self.studio.delete_app(request)
        return {}

    def create_presigned_domain_url(self, request: dict) -> dict:
        return {"AuthorizedUrl": self.studio.presigned_url(request)}
