"""Real receivers on loopback: an HTTP endpoint that records requests, and an SMTP server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any

import pytest
from aiohttp import web
from aiosmtpd.smtp import SMTP, AuthResult


@dataclass(frozen=True, slots=True)
class Request:
    """One request the receiver got."""

    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes


@dataclass
class Receiver:
    """An HTTP endpoint that records each request and answers ``status``.

    It hangs instead, until released, when told to or when the path is ``/hang``.
    """

    port: int = 0
    status: int = 204
    hang: bool = False
    requests: list[Request] = field(default_factory=list)
    released: asyncio.Event = field(default_factory=asyncio.Event)

    def url(self, path: str = "/hook", scheme: str = "http") -> str:
        """Return the URL of ``path`` on this receiver."""
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    async def handle(self, request: web.Request) -> web.Response:
        """Record the request, then answer it (or wait until released)."""
        body = await request.read()
        self.requests.append(Request(request.method, request.path, dict(request.headers), body))
        if self.hang or request.path == "/hang":
            await self.released.wait()
        return web.Response(status=self.status)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    """Yield a started receiver on 127.0.0.1 that answers 204 until told otherwise."""
    recorder = Receiver()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", recorder.handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    recorder.port = runner.addresses[0][1]
    yield recorder
    recorder.released.set()
    await runner.cleanup()


@dataclass
class Mailbox:
    """An aiosmtpd handler that keeps every message it accepts, and the logins it saw."""

    login: tuple[bytes, bytes] | None = None
    messages: list[EmailMessage] = field(default_factory=list)
    logins: list[bytes] = field(default_factory=list)
    port: int = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        """Accept the message (aiosmtpd's hook name)."""
        self.messages.append(
            message_from_bytes(envelope.content, _class=EmailMessage, policy=default)
        )
        return "250 OK"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        """Accept only ``login`` (aiosmtpd's authenticator callback)."""
        self.logins.append(auth_data.login)
        return AuthResult(success=(auth_data.login, auth_data.password) == self.login)


async def _serve(mailbox: Mailbox) -> AsyncIterator[Mailbox]:
    # Served on the test's own loop: Apprise's smtplib runs on a worker thread meanwhile.
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(
            mailbox,
            hostname="localhost",
            authenticator=mailbox.authenticate,
            # Loopback only: AUTH without TLS is what a test against plain SMTP needs.
            auth_require_tls=False,
        ),
        "127.0.0.1",
        0,
    )
    mailbox.port = server.sockets[0].getsockname()[1]
    yield mailbox
    server.close()
    await server.wait_closed()


@pytest.fixture
async def smtp() -> AsyncIterator[Mailbox]:
    """Yield an SMTP server on 127.0.0.1 that takes mail without a login."""
    async for mailbox in _serve(Mailbox()):
        yield mailbox


@pytest.fixture
async def smtp_with_login() -> AsyncIterator[Mailbox]:
    """Yield an SMTP server on 127.0.0.1 that accepts the login ``ih`` / ``smtp-pass-51``."""
    async for mailbox in _serve(Mailbox(login=(b"ih", b"smtp-pass-51"))):
        yield mailbox
