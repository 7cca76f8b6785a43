"""Bearer tokens: every write needs one; reads too when ``api.read_requires_token`` is set."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from integration_health.api.errors import ApiError
from integration_health.service import Service

_bearer = HTTPBearer(auto_error=False, description="a token listed under api.tokens")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]

NO_TOKENS = (
    "writes are disabled until a token is configured: set api.tokens in the configuration "
    "or INTEGRATION_HEALTH_API_TOKENS in the environment"
)


def _check(service: Service, credentials: HTTPAuthorizationCredentials | None) -> None:
    tokens = service.settings.api.tokens
    if not tokens:
        raise ApiError(403, NO_TOKENS)
    if credentials is None:
        raise ApiError(401, "missing bearer token: send Authorization: Bearer <token>")
    offered = credentials.credentials.encode()
    # Compare with every token, always: how long this takes says nothing about which matched.
    matched = False
    for token in tokens:
        matched |= hmac.compare_digest(offered, token.get_secret_value().encode())
    if not matched:
        raise ApiError(401, "invalid bearer token")


# async, though neither awaits: as for get_service, a plain def would run in the threadpool.
async def require_writer(request: Request, credentials: Credentials) -> None:
    """Refuse the request unless it carries a configured token."""
    _check(request.app.state.service, credentials)


async def require_reader(request: Request, credentials: Credentials) -> None:
    """Refuse the request without a token if reads are configured to need one."""
    service: Service = request.app.state.service
    if service.settings.api.read_requires_token:
        _check(service, credentials)
