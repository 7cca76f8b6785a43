"""Every error answers ``{"error": {"code": ..., "message": ...}}``, never a stack trace."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

log = logging.getLogger("integration_health.api")

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
}


class ApiError(Exception):
    """An error the API answers with a status, a code and a one-line message."""

    def __init__(
        self,
        status: int,
        message: str,
        code: str | None = None,
        details: list[dict[str, str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or _CODES.get(status, "error")
        self.details = details


def error_response(
    status: int, code: str, message: str, details: list[dict[str, str]] | None = None
) -> JSONResponse:
    """Return the JSON error body with ``status``; a 401 also says how to authenticate."""
    error: dict[str, object] = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"error": error}, status_code=status, headers=headers)


def validation_error(problems: list[tuple[str, str]]) -> ApiError:
    """Return the 422 listing each problem's field path and reason."""
    details = [{"field": field, "reason": reason} for field, reason in problems]
    message = "; ".join(f"{field}: {reason}" for field, reason in problems)
    return ApiError(422, message, details=details)


async def _api_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, exc.details)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    response = error_response(exc.status_code, _CODES.get(exc.status_code, "error"), exc.detail)
    response.headers.update(exc.headers or {})
    return response


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [
        (".".join(str(part) for part in error["loc"]), str(error["msg"])) for error in exc.errors()
    ]
    return await _api_error(_, validation_error(problems))


async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.error("request failed", exc_info=exc)
    return error_response(500, "internal_error", "internal error; the service log has details")


def install(app: FastAPI) -> None:
    """Make every error in ``app`` answer in the JSON error shape."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
