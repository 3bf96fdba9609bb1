"""Domain errors. Interfaces (views, API, CLI) turn these into responses; services raise them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class DomainError(Exception):
    """A request that cannot be carried out as asked. Maps to HTTP 400/422."""

    status = 422
    title = "Invalid request"

    def __init__(self, message: str, *, errors: Mapping[str, Sequence[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors: dict[str, list[str]] = {key: list(value) for key, value in (errors or {}).items()}


class ValidationFailed(DomainError):
    """Input failed validation; ``errors`` maps field paths to messages."""

    status = 422
    title = "Validation failed"


class NotFound(DomainError):
    """The object does not exist or the actor may not see it (the two are indistinguishable)."""

    status = 404
    title = "Not found"


class PermissionDenied(DomainError):
    """The actor can see the object but may not perform the action."""

    status = 403
    title = "Permission denied"


class Conflict(DomainError):
    """The request conflicts with the current state (duplicate, stale version)."""

    status = 409
    title = "Conflict"
