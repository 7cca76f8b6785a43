"""Simulated Jira, Postman, Testmo and HTTP upstreams on one loopback port, for tests and the demo.

Credentials are checked like the real upstreams do, except in ``DOWN`` and ``HANG``: an
upstream that is down or stuck never gets as far as reading the request's credentials.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import TracebackType
from typing import Any, Self

from aiohttp import web

UPSTREAMS = ("jira", "postman", "testmo", "http")

DEFAULT_CREDENTIALS: Mapping[str, str] = {
    "jira": "jira-token",
    "postman": "postman-key",
    "testmo": "testmo-key",
}
"""The generic HTTP upstream checks no credential unless one is given for ``http``."""

_ROUTES = {
    "jira": "/jira/rest/api/3/myself",
    "postman": "/postman/me",
    "testmo": "/testmo/api/v1/user",
    "http": "/http/healthz",
}

_BODIES: Mapping[str, dict[str, Any]] = {
    "jira": {"accountId": "5b10a2844c20165700ede21g", "displayName": "Sim User", "active": True},
    "postman": {"user": {"id": 12345678, "username": "sim-user", "email": "sim@example.com"}},
    "testmo": {"id": 1, "name": "Sim User", "email": "sim@example.com", "is_active": True},
    "http": {"status": "ok"},
}

_CHUNK = b"x" * (64 * 1024)


class Mode(StrEnum):
    """How a simulated upstream answers."""

    HEALTHY = "healthy"
    SLOW = "slow"
    UNAUTHORIZED = "unauthorized"
    DOWN = "down"
    HANG = "hang"
    DRIP = "drip"


Plan = Mapping[str, Sequence[tuple[Mode, float]]]
"""Per upstream, the (mode, seconds) phases it walks through in a loop."""

DEMO_PLAN: Plan = {
    # Offset by 45 s each, so at any moment one of the three is online, one degraded, one offline.
    "jira": ((Mode.HEALTHY, 45), (Mode.SLOW, 45), (Mode.UNAUTHORIZED, 15), (Mode.DOWN, 30)),
    "postman": ((Mode.SLOW, 45), (Mode.UNAUTHORIZED, 15), (Mode.DOWN, 30), (Mode.HEALTHY, 45)),
    "testmo": ((Mode.UNAUTHORIZED, 15), (Mode.DOWN, 30), (Mode.HEALTHY, 45), (Mode.SLOW, 45)),
    "http": ((Mode.HEALTHY, 120), (Mode.HANG, 15)),
}


@dataclass(frozen=True, slots=True)
class ReceivedRequest:
    """One request a simulated upstream received; ``headers`` are case-insensitive."""

    upstream: str
    path: str
    headers: Mapping[str, str]


class Simulator:
    """An aiohttp server that impersonates every upstream on one port."""

    def __init__(
        self,
        credentials: Mapping[str, str] = DEFAULT_CREDENTIALS,
        *,
        slow_delay: float = 1.5,
        drip_interval: float = 0.1,
    ) -> None:
        self.credentials = dict(credentials)
        self.slow_delay = slow_delay
        self.drip_interval = drip_interval
        self.requests: list[ReceivedRequest] = []
        self._modes = dict.fromkeys(UPSTREAMS, Mode.HEALTHY)
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._url: str | None = None

    @property
    def url(self) -> str:
        """Return ``http://host:port`` of the running server."""
        if self._url is None:
            raise RuntimeError("the simulator is not started")
        return self._url

    def mode(self, upstream: str) -> Mode:
        """Return how ``upstream`` answers now."""
        return self._modes[upstream]

    def set_mode(self, upstream: str, mode: Mode) -> None:
        """Make ``upstream`` answer as ``mode`` from its next request on."""
        if upstream not in self._modes:
            raise KeyError(f"unknown upstream {upstream!r}; one of {', '.join(UPSTREAMS)}")
        self._modes[upstream] = mode

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on ``host:port`` (port 0 picks a free one)."""
        app = web.Application()
        for path in _ROUTES.values():
            app.router.add_get(path, self._answer)
        app.router.add_get("/http/endless", self._endless)
        # A short shutdown timeout: whatever is still running after it is cancelled.
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        self._closing.clear()
        self._runner = runner
        bound = runner.addresses[0][1]
        self._url = f"http://[{host}]:{bound}" if ":" in host else f"http://{host}:{bound}"

    async def stop(self) -> None:
        """Release hanging and dripping handlers, then close the server."""
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()
        self._runner = None
        self._url = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.stop()

    async def cycle(self, plan: Plan, stop: asyncio.Event) -> None:
        """Walk each upstream in ``plan`` through its phases, round and round, until ``stop``."""
        async with asyncio.TaskGroup() as group:
            for upstream, phases in plan.items():
                group.create_task(self._walk(upstream, phases, stop))

    async def _walk(
        self, upstream: str, phases: Sequence[tuple[Mode, float]], stop: asyncio.Event
    ) -> None:
        while phases and not stop.is_set():
            for mode, seconds in phases:
                self.set_mode(upstream, mode)
                if await _wait(stop, seconds):
                    return

    async def _answer(self, request: web.Request) -> web.StreamResponse:
        upstream = request.path.split("/")[1]
        self.requests.append(ReceivedRequest(upstream, request.path, request.headers))
        mode = self._modes[upstream]
        if mode is Mode.HANG:
            await self._closing.wait()
            # Stopping drops the connection: a hanging upstream never answers.
            if request.transport is not None:
                request.transport.abort()
            return web.Response()
        if mode is Mode.DOWN:
            return web.json_response({"message": "Service Unavailable"}, status=503)
        if mode is Mode.UNAUTHORIZED or not self._authorized(upstream, request):
            return web.json_response({"message": "Unauthorized"}, status=401)
        if mode is Mode.SLOW:
            await _wait(self._closing, self.slow_delay)
        if mode is Mode.DRIP:
            return await self._stream(request, b" ", self.drip_interval)
        return web.json_response(_BODIES[upstream])

    async def _endless(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(ReceivedRequest("http", request.path, request.headers))
        return await self._stream(request, _CHUNK, 0)

    async def _stream(self, request: web.Request, chunk: bytes, every: float) -> web.StreamResponse:
        """Return a 200 whose body never ends: ``chunk`` every ``every`` seconds until stopped."""
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request)
        # The client hanging up is how this normally ends.
        with contextlib.suppress(ConnectionError):
            while not await _wait(self._closing, every):
                await response.write(chunk)
        return response

    def _authorized(self, upstream: str, request: web.Request) -> bool:
        expected = self.credentials.get(upstream)
        if expected is None:
            return True
        if upstream == "postman":
            return request.headers.get("X-Api-Key") == expected
        return request.headers.get("Authorization") == f"Bearer {expected}"


async def _wait(event: asyncio.Event, seconds: float) -> bool:
    """Return whether ``event`` was set within ``seconds`` (at once, if already set)."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), seconds)
    return event.is_set()
