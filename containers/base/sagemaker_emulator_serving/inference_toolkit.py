"""A sagemaker-inference toolkit's HandlerService behind this server (the PyTorch image's).

AWS's PyTorch inference image runs TorchServe (a Java server) around the
sagemaker-pytorch-inference toolkit's HandlerService. This runs the same HandlerService,
unchanged: the user's model_fn/input_fn/predict_fn/output_fn/transform_fn and the
toolkit's defaults behave as on AWS. TorchServe hands `handle(data, context)` a Context;
the toolkit reads only what Context below has: the model's name, system properties, request
headers, and setters for the response's status, content type and headers. (The PyTorch
toolkit's wheel carries its own copy of sagemaker_inference, installed over the base's.)
"""

from .reply import Reply


class RequestProcessor:
    def __init__(self, headers: dict[str, str]):
        self._headers = headers

    def get_request_properties(self) -> dict[str, str]:
        return self._headers

    def get_request_property(self, key: str):
        return self._headers.get(key)


class Context:
    def __init__(self, model_dir: str, headers: dict[str, str], gpu_id: int | None = None):
        self.model_name = "model"  # TorchServe's name for a DLC's one model; the toolkit logs it on errors
        self.system_properties = {"model_dir": model_dir, "gpu_id": gpu_id}
        self.request_processor = [RequestProcessor(headers)]
        self.status = 200
        self.phrase = "OK"
        self.content_type: str | None = None
        self.response_headers: dict[str, str] = {}

    def set_response_status(self, code: int = 200, phrase: str = "", idx: int = 0) -> None:
        self.status = int(code)
        self.phrase = phrase or ""

    def set_response_content_type(self, idx: int, value: str) -> None:
        self.content_type = value

    def set_response_header(self, idx: int, key: str, value: str) -> None:
        self.response_headers[key] = value

    def get_request_header(self, idx: int, key: str):
        return self.request_processor[0].get_request_property(key)


class ToolkitHandler:
    def __init__(self, service_class, gpu_id=lambda: None):
        self.service_class = service_class
        self.gpu_id = gpu_id
        self.service = None
        self.model_dir = None

    def load(self, model_dir: str) -> None:
        """Load the model in this worker, as TorchServe does when a worker starts."""
        service = self.service_class()
        service.initialize(Context(model_dir, {}, gpu_id=self.gpu_id()))
        self.service, self.model_dir = service, model_dir

    def invoke(self, body: bytes, headers: dict[str, str]) -> Reply:
        context = Context(self.model_dir, headers, gpu_id=self.gpu_id())
        result = self.service.handle([{"body": body}], context)
        payload = result[0] if result else b""
        content_type = context.content_type or ("application/json" if context.status < 400 else "text/plain")
        return Reply(context.status, payload, content_type, list(context.response_headers.items()))

    def execution_parameters(self) -> Reply | None:
        return None


def _torch_gpu_id():
    import torch

    return 0 if torch.cuda.is_available() else None


def pytorch() -> ToolkitHandler:
    from sagemaker_pytorch_serving_container.handler_service import HandlerService

    return ToolkitHandler(HandlerService, gpu_id=_torch_gpu_id)
