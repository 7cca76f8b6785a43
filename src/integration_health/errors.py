"""The errors the service raises on purpose, one class per ``ErrorKind``.

    IntegrationHealthError        base class; ``kind`` says which of the three it is
    ├── DatabaseError             DATABASE: the database failed; the message says what was
    │                             being done, ``detail`` the driver's reason, ``__cause__`` is
    │                             the driver's exception
    ├── NotFoundError             NOT_FOUND: a named integration does not exist
    └── ValidationError           VALIDATION: input that cannot be accepted

Messages are one line a user can act on and never contain a secret such as a database URL.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorKind(StrEnum):
    """What went wrong, in the three ways callers tell apart."""

    DATABASE = "database"
    NOT_FOUND = "not_found"
    VALIDATION = "validation"


class IntegrationHealthError(Exception):
    """Base of every error the service raises on purpose."""

    kind: ErrorKind

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DatabaseError(IntegrationHealthError):
    """The database failed while doing what ``message`` says (e.g. "Failed to store event")."""

    kind = ErrorKind.DATABASE

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail
        """The driver's one-line reason, e.g. "ConnectionRefusedError: ...", secrets removed."""

    @classmethod
    def wrapping(cls, message: str, error: BaseException, secret: str | None) -> DatabaseError:
        """Return the error to raise ``from error``; its detail never contains ``secret``."""
        # SQLAlchemy's own text repeats the statement and its parameters: the innermost
        # exception is the driver's short reason, and only its first line is kept.
        while error.__cause__ is not None:
            error = error.__cause__
        lines = str(error).strip().splitlines()
        detail = f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__
        return cls(message, detail.replace(secret, "***") if secret else detail)


class NotFoundError(IntegrationHealthError):
    """Something the caller named does not exist."""

    kind = ErrorKind.NOT_FOUND


class ValidationError(IntegrationHealthError):
    """The caller's input cannot be accepted."""

    kind = ErrorKind.VALIDATION
