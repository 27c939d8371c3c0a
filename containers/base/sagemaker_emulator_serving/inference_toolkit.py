"""The request context the toolkit's Transformer expects from its model server.

TorchServe hands `handle(data, context)` a Context; the toolkit reads only the parts
below: system properties, request headers, and setters for the response's status,
content type and headers.
"""


class RequestProcessor:
    def __init__(self, headers: dict[str, str]):
        self._headers = headers

    def get_request_properties(self) -> dict[str, str]:
        return self._headers

    def get_request_property(self, key: str):
        return self._headers.get(key)


class Context:
    def __init__(self, model_dir: str, headers: dict[str, str], gpu_id: int | None = None):
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
