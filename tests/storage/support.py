"""What storage tests share: a settable clock, row factories, a TCP forwarder, databases."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import inspect as inspect_database
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from integration_health.domain import (
    EventSeverity,
    HealthRecord,
    HealthStatus,
    IntegrationEvent,
)
from integration_health.storage import create_engine, upgrade

T0 = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


@dataclass
class Clock:
    """A clock that says ``now`` until told otherwise."""

    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> datetime:
        """Move time forward and return the new now."""
        self.now += delta
        return self.now


def record(
    integration_id: str = "jira",
    at: datetime = T0,
    status: HealthStatus = HealthStatus.ONLINE,
    **fields: Any,
) -> HealthRecord:
    """Return a history row with sensible defaults."""
    fields.setdefault("response_time_ms", 120)
    return HealthRecord(integration_id=integration_id, status=status, last_checked=at, **fields)


def event(
    integration_id: str = "jira",
    at: datetime = T0,
    severity: EventSeverity = EventSeverity.WARNING,
    **fields: Any,
) -> IntegrationEvent:
    """Return an event with sensible defaults."""
    fields.setdefault("event_type", "status_changed")
    fields.setdefault("message", f"{integration_id} is offline")
    return IntegrationEvent(
        integration_id=integration_id, severity=severity, occurred_at=at, **fields
    )


RATE = Decimal("0.0125")


def free_port() -> int:
    """Return a loopback port nothing listens on (until someone does)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def admin(url: str | URL, *statements: str) -> None:
    """Run ``statements`` on the database at ``url``, each outside any transaction."""
    engine = create_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


@dataclass
class Forwarder:
    """A TCP forwarder on loopback: a database server that can appear on demand."""

    target_host: str
    target_port: int
    port: int = field(default_factory=free_port)
    _server: asyncio.Server | None = None
    _streams: list[asyncio.StreamWriter] = field(default_factory=list)

    async def start(self) -> None:
        """Start listening on ``port`` and forward every connection to the target."""
        self._server = await asyncio.start_server(self._forward, "127.0.0.1", self.port)

    async def cut(self) -> None:
        """Cut every forwarded connection, as a database restart does."""
        streams, self._streams = self._streams, []
        for stream in streams:
            stream.close()
            with contextlib.suppress(OSError):
                await stream.wait_closed()

    async def close(self) -> None:
        """Stop listening and cut every forwarded connection."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        await self.cut()

    async def _forward(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(
            self.target_host, self.target_port
        )
        self._streams += [writer, upstream_writer]
        await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.close()


@dataclass
class Outage:
    """A database that is down until ``restore()``; ``engine`` points at it throughout."""

    engine: AsyncEngine
    _restore: Forwarder | URL

    async def restore(self) -> None:
        """Bring the database up, with its tables."""
        if isinstance(self._restore, Forwarder):
            await self._restore.start()
        else:
            Path(self._restore.database or "").parent.mkdir()
            await upgrade(self._restore)


async def eventually(condition: Callable[[], bool | Awaitable[bool]], within: float = 5.0) -> None:
    """Return once ``condition()`` holds, checking every 10 ms; fail after ``within`` seconds."""
    for _ in range(int(within / 0.01)):
        holds = condition()
        if await holds if inspect.isawaitable(holds) else holds:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"condition still false after {within} s")


def root_cause(error: BaseException) -> BaseException:
    """Return the innermost exception ``error`` was raised from."""
    while error.__cause__ is not None:
        error = error.__cause__
    return error


async def tables_in(url: URL) -> set[str]:
    """Return the names of the tables in the database at ``url``, but Alembic's own."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            names: list[str] = await connection.run_sync(
                lambda sync: inspect_database(sync).get_table_names()
            )
    finally:
        await engine.dispose()
    return set(names) - {"alembic_version"}
