"""SageMaker Studio, its current API: a domain, user profiles, spaces, and JupyterLab apps in spaces.

One local domain (AWS's default quota is one domain per Region: a second CreateDomain answers
ResourceLimitExceeded as AWS does); user profiles and spaces in it, InService as soon as they are
made. A space keeps its storage as a notebook instance does: a volume, the space's
/home/sagemaker-user, made with the space and deleted with it. CreateApp (AppType JupyterLab,
in a space) runs the notebook image as sagemaker-user on that volume: Pending -> InService |
Failed; DeleteApp: Deleting -> Deleted (the app stays listed, Deleted, as on AWS; its name may
be used again). CreatePresignedDomainUrl with a SpaceName opens that space's JupyterLab; without
one, the domain's Url: the console's Notebooks page, this emulator's Studio home. Apps log to
/aws/sagemaker/studio, stream <domain>/<space>/JupyterLab/<app>.

Not emulated, each refused with a message naming it: other app types (CodeEditor: no open code
editor is available from a package registry here; Studio Classic's JupyterServer and
KernelGateway; TensorBoard, RStudio, Canvas), custom images, apps of a user profile (Studio
Classic's), IAM Identity Center sign-in (an SSO domain is kept, its presigned URLs refused).

After an emulator restart an app that was Pending or InService starts again (Pending, then
InService); one that was Deleting is Deleted.
"""

import re
import secrets
import time
import uuid
from dataclasses import dataclass

from ...aws.errors import ResourceInUse, ResourceLimitExceeded, ResourceNotFound, ValidationException
from ...execution.instances import lookup
from ..arns import arn
from ..images import studio_image
from ..resources import Kind, Resources
from . import signin
from .app_run import AppFailed
from .apps import AppHost, AppPlan, ResourceThreads

LOG_GROUP = "/aws/sagemaker/studio"
RUNNER_KIND = "studio-app"
HOME = "/home/sagemaker-user"
DEFAULT_INSTANCE_TYPE = "ml.t3.medium"  # a JupyterLab space's default
MAX_DOMAINS = 1
APP_TYPES = ("JupyterLab",)
NOT_EMULATED = {"CodeEditor": "no open code editor is available from a package registry here"}


@dataclass
class KeyedKind(Kind):
    """A kind stored under a key member of its own: a Studio resource's name is unique only in its
    domain (a user profile's, a space's) or its space (an app's)."""
    key: str = ""

    @property
    def name_key(self) -> str:
        return self.key


DOMAIN = KeyedKind(kind="domain", noun="domain", prefix="Domain", list_key="Domains", key="DomainId",
                   summary=("DomainArn", "DomainId", "DomainName", "Status", "CreationTime", "LastModifiedTime", "Url"),
                   missing=lambda noun, domain: ResourceNotFound(f"Domain {domain} not found."))
USER_PROFILE = KeyedKind(
    kind="user-profile", noun="user profile", prefix="UserProfile", list_key="UserProfiles", key="Key",
    summary=("DomainId", "UserProfileName", "Status", "CreationTime", "LastModifiedTime"), default_order="Ascending",
    sort_keys={"LastModifiedTime": "LastModifiedTime"},
    extra_filters={"DomainIdEquals": lambda d, v: d["DomainId"] == v,
                   "UserProfileNameContains": lambda d, v: v in d["UserProfileName"]},
    missing=lambda noun, key: ResourceNotFound(f"User profile {key.split('/', 1)[1]} not found in domain "
                                               f"{key.split('/', 1)[0]}."))
SPACE = KeyedKind(
    kind="space", noun="space", prefix="Space", list_key="Spaces", key="Key",
    summary=("DomainId", "SpaceName", "Status", "CreationTime", "LastModifiedTime", "SpaceSettingsSummary",
             "SpaceSharingSettingsSummary", "OwnershipSettingsSummary", "SpaceDisplayName"), default_order="Ascending",
    sort_keys={"LastModifiedTime": "LastModifiedTime"},
    extra_filters={"DomainIdEquals": lambda d, v: d["DomainId"] == v,
                   "SpaceNameContains": lambda d, v: v in d["SpaceName"]},
    missing=lambda noun, key: ResourceNotFound(f"Space {key.split('/', 1)[1]} not found in domain {key.split('/', 1)[0]}."))
APP = KeyedKind(
    kind="app", noun="app", prefix="App", list_key="Apps", key="Key", status="Status",
    summary=("DomainId", "UserProfileName", "SpaceName", "AppType", "AppName", "Status", "CreationTime", "ResourceSpec"),
    default_order="Ascending",
    extra_filters={"DomainIdEquals": lambda d, v: d["DomainId"] == v,
                   "UserProfileNameEquals": lambda d, v: d.get("UserProfileName") == v,
                   "SpaceNameEquals": lambda d, v: d.get("SpaceName") == v},
    missing=lambda noun, key: ResourceNotFound(f"App {key} not found."))
LIVE_APP = ("Pending", "InService", "Deleting")


def run_key(key: str) -> str:
    """An app's (or space's) key as its container's and live run's name part."""
    return re.sub(r"[^a-z0-9-]", "-", key.lower())


def member_key(domain: str, name: str) -> str:
    return f"{domain}/{name}"


def app_key(domain: str, space: str, app_type: str, name: str) -> str:
    return f"{domain}/{space}/{app_type}/{name}"


class Studio:
    """The domain, its user profiles and spaces, and the apps' life on a thread per app."""

    def __init__(self, store, apps: AppHost, region: str, account: str, console_url: str):
        self.domains = Resources(store, DOMAIN)
        self.profiles = Resources(store, USER_PROFILE)
        self.spaces = Resources(store, SPACE)
        self.app_docs = Resources(store, APP)
        self.apps = apps
        self.region = region
        self.account = account
        self.console_url = console_url
        self._in_thread = ResourceThreads("studio", self._fail).run

    @property
    def taggable(self) -> list[Resources]:
        return [self.domains, self.profiles, self.spaces, self.app_docs]

    def _arn(self, resource: str, *names: str) -> str:
        return arn(self.region, self.account, resource, "/".join(names))

    # -- domain ------------------------------------------------------------------------------

    def create_domain(self, request: dict) -> dict:
        if len(self.domains.all()) >= MAX_DOMAINS:
            raise ResourceLimitExceeded(
                f"The account-level service limit 'Maximum number of domains per Region' is {MAX_DOMAINS} Domains, with "
                f"current utilization of {len(self.domains.all())} Domains and a request delta of 1 Domains. Please use "
                "AWS Service Quotas to request an increase for this quota.")
        domain = "d-" + "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(12))
        now = time.time()
        doc = {"DomainId": domain, "DomainArn": self._arn("domain", domain), "DomainName": request["DomainName"],
               "Status": "InService", "CreationTime": now, "LastModifiedTime": now, "Url": self.console_url,
               "AppNetworkAccessType": "PublicInternetOnly", "AppSecurityGroupManagement": "Service",
               "HomeEfsFileSystemId": f"fs-{uuid.uuid4().hex[:17]}", "TagPropagation": "DISABLED",
               **{k: v for k, v in request.items() if k not in ("Tags",)}}
        self.domains.add(doc)
        return doc

    def domain(self, domain: str) -> dict:
        return self.domains.get(domain)

    def delete_domain(self, domain: str) -> None:
        self.domain(domain)
        left = [d["UserProfileName"] for d in self.profiles.all() if d["DomainId"] == domain]
        left += [d["SpaceName"] for d in self.spaces.all() if d["DomainId"] == domain]
        if left:
            raise ResourceInUse(f"Domain {domain} cannot be deleted while it has user profiles or spaces: "
                                f"{', '.join(sorted(left))}")
        self.domains.remove(domain)

    # -- user profiles -----------------------------------------------------------------------

    def create_user_profile(self, request: dict) -> dict:
        domain, name = request["DomainId"], request["UserProfileName"]
        self.domain(domain)
        now = time.time()
        doc = {"Key": member_key(domain, name), "DomainId": domain, "UserProfileName": name,
               "UserProfileArn": self._arn("user-profile", domain, name), "Status": "InService",
               "CreationTime": now, "LastModifiedTime": now, "HomeEfsFileSystemUid": str(200000 + len(self.profiles.all())),
               **{k: v for k, v in request.items() if k not in ("Tags", "DomainId", "UserProfileName")}}
        self._add(self.profiles, doc, f"User profile {name} already exists in domain {domain}.")
        return doc

    def profile(self, domain: str, name: str) -> dict:
        return self.profiles.get(member_key(domain, name))

    def delete_user_profile(self, domain: str, name: str) -> None:
        self.profile(domain, name)
        owned = [d["SpaceName"] for d in self.spaces.all()
                 if d["DomainId"] == domain and d.get("OwnershipSettings", {}).get("OwnerUserProfileName") == name]
        if owned:
            raise ResourceInUse(f"User profile {name} owns spaces {', '.join(sorted(owned))}: delete them first.")
        self.profiles.remove(member_key(domain, name))

    # -- spaces ------------------------------------------------------------------------------

    def create_space(self, request: dict) -> dict:
        domain, name = request["DomainId"], request["SpaceName"]
        self.domain(domain)
        owner = request.get("OwnershipSettings", {}).get("OwnerUserProfileName")
        if owner:
            self.profile(domain, owner)
        app_type = request.get("SpaceSettings", {}).get("AppType")
        if app_type and app_type not in APP_TYPES:
            raise ValidationException(_not_emulated(app_type))
        sharing = request.get("SpaceSharingSettings", {}).get("SharingType", "Private" if owner else "Shared")
        now = time.time()
        settings = request.get("SpaceSettings", {})
        doc = {"Key": member_key(domain, name), "DomainId": domain, "SpaceName": name,
               "SpaceArn": self._arn("space", domain, name), "Status": "InService", "CreationTime": now,
               "LastModifiedTime": now, "SpaceSharingSettings": {"SharingType": sharing},
               "SpaceSettingsSummary": {k: settings[k] for k in ("AppType", "RemoteAccess", "SpaceStorageSettings")
                                        if k in settings},
               "SpaceSharingSettingsSummary": {"SharingType": sharing},
               **({"OwnershipSettingsSummary": {"OwnerUserProfileName": owner}} if owner else {}),
               **{k: v for k, v in request.items() if k not in ("Tags", "DomainId", "SpaceName", "SpaceSharingSettings")},
               "Emulator": {"Volume": f"smemu-space-{domain}-{name.lower()}-{uuid.uuid4().hex[:8]}"}}
        self._add(self.spaces, doc, f"Space {name} already exists in domain {domain}.")
        return doc

    def space(self, domain: str, name: str) -> dict:
        return self.spaces.get(member_key(domain, name))

    def delete_space(self, domain: str, name: str) -> None:
        doc = self.space(domain, name)
        running = [a["AppName"] for a in self._apps_of(domain, name) if a["Status"] in LIVE_APP]
        if running:
            raise ResourceInUse(f"Space {name} has apps that are not deleted: {', '.join(running)}. Delete them first.")
        self.spaces.update(doc["Key"], lambda d: d.update(Status="Deleting"))

        def delete():
            self.apps.remove_storage(self._space_plan(doc))
            self.spaces.remove(doc["Key"])
        self._in_thread(doc["Key"], delete)

    def _add(self, resources: Resources, doc: dict, duplicate: str) -> None:
        if resources.find(doc["Key"]) is not None:
            raise ResourceInUse(duplicate)
        resources.add(doc)

    # -- apps ----------------------------------------------------------------------------------

    def _apps_of(self, domain: str, space: str) -> list[dict]:
        return [a for a in self.app_docs.all() if a["DomainId"] == domain and a.get("SpaceName") == space]

    def create_app(self, request: dict) -> dict:
        domain, app_type, name = request["DomainId"], request["AppType"], request["AppName"]
        self.domain(domain)
        if app_type not in APP_TYPES:
            raise ValidationException(_not_emulated(app_type))
        space_name = request.get("SpaceName")
        if not space_name:
            raise ValidationException(f"A {app_type} app runs in a space: give SpaceName (apps of a user profile are "
                                      "Studio Classic's, not emulated)")
        space = self.space(domain, space_name)
        space_type = space.get("SpaceSettings", {}).get("AppType")
        if space_type and space_type != app_type:
            raise ValidationException(f"Space {space_name} is a {space_type} space: it cannot run a {app_type} app")
        busy = [a["AppName"] for a in self._apps_of(domain, space_name) if a["Status"] in LIVE_APP]
        if busy:
            raise ResourceInUse(f"Space {space_name} already has an app: {busy[0]}. A space runs one app at a time.")
        spec = {**self._default_resource_spec(domain, space), **request.get("ResourceSpec", {})}
        image = studio_image(spec.get("SageMakerImageArn") or spec.get("SageMakerImageVersionArn"))
        if image is None:
            raise ValidationException(f"ResourceSpec names a custom image ({spec.get('SageMakerImageArn')}): only "
                                      "SageMaker Distribution images are emulated")
        if not re.fullmatch(r"ml\.[a-z0-9-]+\.[a-z0-9]+", spec["InstanceType"]):
            raise ValidationException(f"InstanceType {spec['InstanceType']} cannot run a {app_type} app")
        key = app_key(domain, space_name, app_type, name)
        if self.app_docs.find(key) is not None:  # a Deleted app of that name: it goes, as on AWS
            self.app_docs.remove(key)
        now = time.time()
        doc = {"Key": key, "DomainId": domain, "SpaceName": space_name, "AppType": app_type, "AppName": name,
               "AppArn": self._arn("app", domain, space_name, app_type, name), "Status": "Pending",
               "CreationTime": now, "ResourceSpec": spec, "RecoveryMode": bool(request.get("RecoveryMode")),
               "Emulator": {"SigninKey": signin.new_key()}}
        self.app_docs.add(doc)
        self._in_thread(key, self._start, key)
        return doc

    def _default_resource_spec(self, domain: str, space: dict) -> dict:
        space_spec = space.get("SpaceSettings", {}).get("JupyterLabAppSettings", {}).get("DefaultResourceSpec", {})
        domain_spec = (self.domain(domain).get("DefaultUserSettings", {}).get("JupyterLabAppSettings", {})
                       .get("DefaultResourceSpec", {}))
        return {"InstanceType": DEFAULT_INSTANCE_TYPE, **domain_spec, **space_spec}

    def app(self, request: dict) -> dict:
        return self.app_docs.get(self._request_key(request))

    def _request_key(self, request: dict) -> str:
        owner = request.get("SpaceName") or request.get("UserProfileName") or ""
        return app_key(request["DomainId"], owner, request["AppType"], request["AppName"])

    def delete_app(self, request: dict) -> None:
        doc = self.app(request)
        if doc["Status"] in ("Deleted", "Deleting"):
            raise ResourceInUse(f"App {doc['AppArn']} is already {doc['Status']}.")
        if doc["Status"] == "Pending":
            raise ResourceInUse(f"App {doc['AppArn']} is being created: it can be deleted once InService or Failed.")
        self.app_docs.update(doc["Key"], lambda d: d.update(Status="Deleting"))
        self._in_thread(doc["Key"], self._delete, doc["Key"])

    def presigned_url(self, request: dict) -> str:
        domain = self.domain(request["DomainId"])
        if domain["AuthMode"] != "IAM":
            raise ValidationException("CreatePresignedDomainUrl can only be called when the authentication mode "
                                      "equals IAM.")
        self.profile(domain["DomainId"], request["UserProfileName"])
        space_name = request.get("SpaceName")
        if not space_name:
            return domain["Url"]
        space = self.space(domain["DomainId"], space_name)
        owner = space.get("OwnershipSettings", {}).get("OwnerUserProfileName")
        if space["SpaceSharingSettings"]["SharingType"] == "Private" and owner != request["UserProfileName"]:
            raise ValidationException(f"Space {space_name} is private to user profile {owner}")
        serving = [a for a in self._apps_of(domain["DomainId"], space_name) if a["Status"] == "InService"]
        if not serving:
            raise ValidationException(f"Space {space_name} has no app InService: start its JupyterLab with CreateApp")
        app = serving[0]
        use_by = time.time() + request.get("ExpiresInSeconds", signin.URL_LIFETIME_SECONDS)
        token = signin.token(app["Emulator"]["SigninKey"], app["Key"], use_by,
                             request.get("SessionExpirationDurationInSeconds", signin.DEFAULT_SESSION_SECONDS))
        return f"{app['Emulator']['Url']}/jupyterlab/{app['AppName']}/lab?authToken={token}"

    def restore(self) -> None:
        self.apps.remove_leftovers(RUNNER_KIND)
        for doc in self.app_docs.all():
            if doc["Status"] in ("Pending", "InService"):
                self.app_docs.update(doc["Key"], lambda d: d.update(Status="Pending"))
                self._in_thread(doc["Key"], self._start, doc["Key"])
            elif doc["Status"] == "Deleting":
                self._in_thread(doc["Key"], self._delete, doc["Key"])
        for doc in self.spaces.all():
            if doc["Status"] == "Deleting":
                self._in_thread(doc["Key"], lambda d=doc: (self.apps.remove_storage(self._space_plan(d)),
                                                           self.spaces.remove(d["Key"])))

    # -- work ------------------------------------------------------------------------------------

    def _space_plan(self, space: dict, app: dict | None = None) -> AppPlan:
        """What an app of the space runs (or, without app, what deleting the space's storage needs)."""
        domain = self.domain(space["DomainId"])
        owner = space.get("OwnershipSettings", {}).get("OwnerUserProfileName")
        name = (app or {}).get("AppName", "default")
        metadata = {"AppType": "JupyterLab", "DomainId": space["DomainId"], "SpaceName": space["SpaceName"],
                    "ResourceArn": (app or space).get("AppArn", space["SpaceArn"]), "ResourceName": name}
        shared_role = (domain.get("DefaultSpaceSettings", {}).get("ExecutionRole")
                       or domain["DefaultUserSettings"].get("ExecutionRole"))
        if owner:
            metadata["UserProfileName"] = owner  # the SDK's get_execution_role asks the profile, then the domain
        elif shared_role:
            metadata["ExecutionRoleArn"] = shared_role
        spec = (app or {}).get("ResourceSpec", {"InstanceType": DEFAULT_INSTANCE_TYPE})
        return AppPlan(
            key=run_key((app or space)["Key"]), kind=RUNNER_KIND, what="Studio app's", image=studio_image(spec.get("SageMakerImageArn")),
            instance=lookup(spec["InstanceType"]), volume=space["Emulator"]["Volume"], user="sagemaker-user",
            home=HOME, volume_path=HOME, base_url=f"/jupyterlab/{name}/", resource=(app or space)["Key"],
            signin_key=(app or {}).get("Emulator", {}).get("SigninKey", ""), metadata=metadata, log_group=LOG_GROUP,
            stream_of=lambda channel: f"{space['DomainId']}/{space['SpaceName']}/JupyterLab/{name}",
            host_port=(app or {}).get("Emulator", {}).get("HostPort"))

    def _start(self, key: str) -> None:
        doc = self.app_docs.get(key)
        space = self.space(doc["DomainId"], doc["SpaceName"])
        try:
            run = self.apps.run(self._space_plan(space, doc), timed_out=lambda hook: "", failed=lambda hook, code: "",
                                on_exit=lambda reason: self._died(key, reason))
        except AppFailed as exc:
            self._fail(key, str(exc))
            return

        def serving(d):
            d.update(Status="InService", LastUserActivityTimestamp=time.time(), LastHealthCheckTimestamp=time.time())
            d.pop("FailureReason", None)
            d["Emulator"].update(HostPort=run.container.host_port, Url=run.container.url)
        self.app_docs.update(key, serving)

    def _delete(self, key: str) -> None:
        self.apps.stop(run_key(key))
        self.app_docs.update(key, lambda d: d.update(Status="Deleted"))

    def _died(self, key: str, reason: str) -> None:
        if self.apps.forget(run_key(key)) is not None:
            self._fail(key, reason)

    def _fail(self, key: str, reason: str) -> None:
        try:
            self.app_docs.update(key, lambda d: d.update(Status="Failed", FailureReason=reason[:1024]))
        except KeyError:
            pass


def _not_emulated(app_type: str) -> str:
    why = NOT_EMULATED.get(app_type, "Studio Classic's and the other app types are not emulated")
    return f"AppType {app_type} is not emulated ({why}): use JupyterLab"
