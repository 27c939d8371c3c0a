"""InvokeEndpoint and its streaming and async forms, as the runtime serves them.

An invocation picks a variant and an instance of the endpoint's live deployment,
forwards the body with the headers SageMaker passes to containers, and maps what comes
back: 2xx -> the container's body; anything else -> ModelError (424) with the
container's status and message; no answer within the timeout -> ModelError.

A container that refuses the connection is dead (nothing was sent to it): the instance is
set aside until the health monitor replaces it (sagemaker/inference/endpoints.py) and the call goes
to another healthy instance, or to a new serverless container. With no healthy instance
left the answer is ServiceUnavailable (503, "The service is unavailable. Try your call
again." in botocore's model; boto3 retries it), not ModelError, which AWS keeps for a
model that answered 4xx/5xx or did not answer in time.
"""

import time
import uuid
from dataclasses import dataclass

from ..hosting.live import Deployment, LiveInstance, LiveVariant
from ..hosting.serverless import Throttled
from . import forward
from .errors import ModelError, ServiceUnavailable, ThrottlingException, ValidationError
from .metrics import InvocationMetrics

MAX_PAYLOAD_BYTES = 6 * 1024 * 1024  # 6 MB, InvokeEndpoint's limit
ATTEMPTS = 3  # instances (or serverless containers) tried when one turns out dead
# Client headers SageMaker passes on to the container.
FORWARDED = ("Content-Type", "Accept", "X-Amzn-SageMaker-Custom-Attributes",
             "X-Amzn-SageMaker-Target-Model", "X-Amzn-SageMaker-Inference-Id")


class NotListening(Exception):
    """The container refused the connection: it is gone, and the call never reached it."""


@dataclass
class Invocation:
    endpoint: str
    body: bytes
    headers: dict[str, str]  # the forwarded ones, as sent
    target_variant: str | None = None


@dataclass
class Answer:
    variant: str
    status: int
    content_type: str
    custom_attributes: str | None
    body: bytes = b""
    exchange: object = None  # the open answer, when streaming
    release: object = None   # when streaming: call once the response is read


class Invoker:
    def __init__(self, endpoints, live: dict[str, Deployment], region: str, account: str, timeout_seconds: float,
                 metrics: InvocationMetrics | None = None):
        self.endpoints = endpoints  # Resources of endpoint documents
        self.live = live
        self.region = region
        self.account = account
        self.timeout_seconds = timeout_seconds
        self.metrics = metrics

    def deployment(self, name: str) -> Deployment:
        deployment = self.live.get(name)
        if deployment is not None:
            return deployment
        doc = self.endpoints.find(name)
        # The control plane finds names whatever their case; InvokeEndpoint's must match.
        if doc is None or doc["EndpointName"] != name:
            raise ValidationError(f"Endpoint {name} of account {self.account} not found.")
        raise ValidationError(f"Endpoint {name} of account {self.account} is not in service "
                              f"(EndpointStatus: {doc['EndpointStatus']}).")

    def invoke(self, call: Invocation, stream: bool = False) -> Answer:
        started = time.perf_counter()
        deployment = self.deployment(call.endpoint)
        variant = deployment.choose(call.target_variant)
        if variant is None:
            raise ValidationError(f"Variant {call.target_variant} not found for endpoint {call.endpoint}. "
                                  "TargetVariant must name one of the endpoint's production variants.")
        for _ in range(ATTEMPTS):
            instance = self._instance(call, variant)
            instance.track(1)
            forwarded = time.perf_counter()
            try:
                answer = self._forward(call, instance, stream)
            except NotListening:
                self._release(variant, instance)
                self._set_aside(variant, instance)
                continue
            except ModelError as exc:
                self._release(variant, instance)
                self._measure(call, instance.variant, started, forwarded, exc.members.get("OriginalStatusCode", 500))
                raise
            except BaseException:
                self._release(variant, instance)
                raise
            self._measure(call, instance.variant, started, forwarded, answer.status)
            if stream:
                answer.release = lambda: self._release(variant, instance)  # once the stream is read
            else:
                self._release(variant, instance)
            return answer
        raise self._unavailable(call, variant)

    def _instance(self, call: Invocation, variant: LiveVariant) -> LiveInstance:
        pool = variant.serverless
        if pool is None:
            instance = variant.pick()
            if instance is None:
                raise self._unavailable(call, variant)
            return instance
        try:
            return pool.acquire()
        except Throttled as exc:
            raise ThrottlingException(str(exc))
        except Exception as exc:
            raise ModelError(f"The serverless endpoint's container could not start: {exc}",
                             self.log_stream_arn(call.endpoint))

    @staticmethod
    def _release(variant: LiveVariant, instance: LiveInstance) -> None:
        instance.track(-1)
        if variant.serverless is not None:
            variant.serverless.release()

    @staticmethod
    def _set_aside(variant: LiveVariant, instance: LiveInstance) -> None:
        instance.healthy = False  # the health monitor replaces it, or finds it well after all
        if variant.serverless is not None:
            variant.serverless.discard(instance)

    @staticmethod
    def _unavailable(call: Invocation, variant: LiveVariant) -> ServiceUnavailable:
        return ServiceUnavailable(f"Endpoint {call.endpoint} has no healthy instance in production variant "
                                  f"{variant.name} to serve the request right now: an instance that failed its "
                                  "health check is being replaced. Try your request again.")

    def _measure(self, call: Invocation, variant: str, started: float, forwarded: float, status: int) -> None:
        """ModelLatency: the container's time (to its headers, when streaming); OverheadLatency: ours before it."""
        if self.metrics is not None:
            self.metrics.record(call.endpoint, variant, time.perf_counter() - forwarded, forwarded - started, status)

    def _forward(self, call: Invocation, instance: LiveInstance, stream: bool) -> Answer:
        try:
            exchange = forward.post(*instance.address(), "/invocations", call.body, call.headers,
                                    self.timeout_seconds)
        except ConnectionRefusedError as exc:
            raise NotListening(str(exc)) from exc
        except TimeoutError:
            raise ModelError("Your invocation timed out while waiting for a response from container "
                             "primary. Review the latency metrics for each container in Amazon CloudWatch, "
                             "resolve the issue, and try again.", self.log_stream_arn(call.endpoint))
        except OSError as exc:
            raise ModelError(f"An error occurred while sending the request to container primary: {exc}",
                             self.log_stream_arn(call.endpoint))
        instance.last_answer = time.monotonic()
        answer = Answer(instance.variant, exchange.status,
                        exchange.header("Content-Type", "application/octet-stream"),
                        exchange.header("X-Amzn-SageMaker-Custom-Attributes"))
        if stream and 200 <= exchange.status < 300:
            answer.exchange = exchange
            return answer
        try:
            body = exchange.read()
        except OSError as exc:
            raise ModelError(f"The response from container primary broke off: {exc}",
                             self.log_stream_arn(call.endpoint))
        finally:
            exchange.close()
        if not 200 <= exchange.status < 300:
            message = body.decode("utf-8", "replace")
            kind = "server" if exchange.status >= 500 else "client"
            raise ModelError(
                f'Received {kind} error ({exchange.status}) from primary with message "{message}". See '
                f"https://{self.region}.console.aws.amazon.com/cloudwatch/home?region={self.region}"
                f"#logEventViewer:group=/aws/sagemaker/Endpoints/{call.endpoint} in account "
                f"{self.account} for more information.",
                self.log_stream_arn(call.endpoint), exchange.status, message)
        answer.body = body
        return answer

    def log_stream_arn(self, endpoint: str) -> str:
        return f"arn:aws:logs:{self.region}:{self.account}:log-group:/aws/sagemaker/Endpoints/{endpoint}"


def new_inference_id() -> str:
    return str(uuid.uuid4())
