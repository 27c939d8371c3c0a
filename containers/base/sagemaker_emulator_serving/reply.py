"""What a handler answers (Reply) and what the server asks of it (Handler): apart from app.py,
which builds the application when imported, so the handlers import without a server."""

from typing import Iterable, NamedTuple, Protocol


class Reply(NamedTuple):
    status: int
    body: bytes | str | Iterable  # an iterator streams chunk by chunk
    content_type: str
    headers: list[tuple[str, str]] = []


class Handler(Protocol):
    def load(self, model_dir: str) -> None:
        """Load the model in this worker; raising fails the worker's boot (and so the endpoint)."""

    def invoke(self, body: bytes, headers: dict[str, str]) -> Reply: ...

    def execution_parameters(self) -> Reply | None:
        """GET /execution-parameters, or None where the container does not serve it (404)."""


def as_bytes(value) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)
