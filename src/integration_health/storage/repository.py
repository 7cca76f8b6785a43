"""Reads and writes of history, events and state: every query the service makes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, delete, literal, select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from integration_health.domain import (
    EventSeverity,
    HealthRecord,
    IntegrationEvent,
    IntegrationHealth,
)
from integration_health.errors import DatabaseError
from integration_health.storage import queries, rows
from integration_health.storage.runner import Runner, Work
from integration_health.storage.tables import integration_events, integration_health
from integration_health.storage.upsert import Upsert

Clock = Callable[[], datetime]
"""Return the current time as an aware UTC datetime."""


def utc_now() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


class IntegrationHealthRepository:
    """History, events and state of integrations, stored in one SQL database."""

    def __init__(self, engine: AsyncEngine, *, clock: Clock = utc_now) -> None:
        self._engine = engine
        # Every call is one statement, or a loop of independent ones: autocommit spares
        # the BEGIN and COMMIT round trips a transaction would add to each.
        self._clock = clock
        self._run = Runner(engine).run

    async def ping(self) -> bool:
        """Return whether the database answers a query."""
        try:
            await self._run("Failed to reach the database", _fetch(select(literal(1)), {}))
        except DatabaseError:
            return False
        return True

    async def get_latest_health(self, integration_id: str) -> HealthRecord | None:
        """Return the newest history row of an integration, or None if it has none."""
        found = await self._run(
            "Failed to fetch integration health",
            _fetch(queries.LATEST_HEALTH, {"integration_id": integration_id}),
        )
        return rows.health_record(found[0]) if found else None

    async def get_health_history(
        self, integration_id: str, start: datetime, end: datetime, limit: int | None = None
    ) -> list[HealthRecord]:
        """Return the rows checked from ``start`` to ``end`` inclusive, newest first."""
        query = queries.HEALTH_HISTORY if limit is None else queries.HEALTH_HISTORY_LIMITED
        parameters = {"integration_id": integration_id, "start": start, "end": end}
        if limit is not None:
            parameters["limit"] = limit
        found = await self._run(
            "Failed to fetch integration health history", _fetch(query, parameters)
        )
        return [rows.health_record(row) for row in found]

    async def get_events(
        self,
        integration_id: str,
        start: datetime,
        end: datetime,
        severity: EventSeverity | None = None,
        limit: int | None = None,
    ) -> list[IntegrationEvent]:
        """Return an integration's events from ``start`` to ``end`` inclusive, newest first."""
        query = queries.EVENTS.limit(limit)
        if severity is not None:
            query = query.where(integration_events.c.severity == severity.value)
        parameters = {"integration_id": integration_id, "start": start, "end": end}
        found = await self._run("Failed to fetch integration events", _fetch(query, parameters))
        return [rows.integration_event(row) for row in found]

    async def load_states(self) -> list[IntegrationHealth]:
        """Return the saved state of every integration, sorted by name."""
        found = await self._run("Failed to load integration state", _fetch(queries.STATES, {}))
        return [rows.state_health(row) for row in found]

    async def store_health_status(self, record: HealthRecord) -> None:
        """Store one history row; a row with the same integration and check time is replaced."""
        await self.store_health_statuses([record], "Failed to store health status")

    async def store_health_statuses(
        self, records: Sequence[HealthRecord], context: str = "Failed to store health statuses"
    ) -> int:
        """Store rows like ``store_health_status``, one statement per batch; return how many."""
        now = self._clock()
        batch = rows.last_per_key(
            ((r.integration_id, r.last_checked), rows.health_row(r, now)) for r in records
        )
        return await self._write(queries.STORE_HEALTH, batch, context)

    async def store_event(self, event: IntegrationEvent) -> None:
        """Store one event; storing the same event (same id) again changes nothing."""
        await self.store_events([event], "Failed to store event")

    async def store_events(
        self, events: Sequence[IntegrationEvent], context: str = "Failed to store events"
    ) -> int:
        """Store events like ``store_event``, one statement per batch; return how many."""
        now = self._clock()
        batch = rows.last_per_key((e.id, rows.event_row(e, now)) for e in events)
        return await self._write(queries.STORE_EVENTS, batch, context)

    async def upsert_states(self, states: Sequence[IntegrationHealth]) -> int:
        """Save integrations' current state, replacing what was saved before; return how many."""
        now = self._clock()
        batch = rows.last_per_key((s.integration, rows.state_row(s, now)) for s in states)
        return await self._write(queries.STORE_STATES, batch, "Failed to store integration state")

    async def prune(self, before: datetime, batch_size: int = 5_000) -> int:
        """Delete history rows and events older than ``before``; return how many were removed."""
        removed = 0
        for table, moment in (
            (integration_health, integration_health.c.last_checked),
            (integration_events, integration_events.c.occurred_at),
        ):
            # Small deletes, each its own transaction, so no lock is held for long.
            oldest = select(table.c.id).where(moment < before).limit(batch_size)
            statement = delete(table).where(table.c.id.in_(oldest))
            while True:
                count = await self._run(f"Failed to prune {table.name}", _count(statement))
                removed += count
                if count < batch_size:
                    break
        return removed

    async def _write(self, upsert: Upsert, batch: list[dict[str, Any]], context: str) -> int:
        if not batch:
            return 0

        async def write(connection: AsyncConnection) -> int:
            await upsert.execute(connection, batch)
            return len(batch)

        # One statement is atomic by itself. SQLite's executemany runs one per row, and
        # outside a transaction each would commit (and sync) on its own.
        sqlite_batch = len(batch) > 1 and self._engine.dialect.name == "sqlite"
        return await self._run(context, write, transaction=sqlite_batch)


def _fetch(statement: Any, parameters: dict[str, Any]) -> Work[Sequence[Row[Any]]]:
    async def fetch(connection: AsyncConnection) -> Sequence[Row[Any]]:
        return (await connection.execute(statement, parameters)).all()

    return fetch


def _count(statement: Any) -> Work[int]:
    async def count(connection: AsyncConnection) -> int:
        rowcount: int = (await connection.execute(statement)).rowcount
        return rowcount

    return count


def is_refusal(error: DatabaseError) -> bool:
    """Return whether the database refused the data itself, rather than failed to work."""
    cause = error.__cause__
    if isinstance(cause, DataError | IntegrityError):
        return True
    while cause is not None and cause.__cause__ is not None:
        cause = cause.__cause__
    # A value its column type or the driver could not encode, such as a naive datetime
    # or an integer too large, never reached the database.
    return isinstance(cause, ValueError | TypeError | OverflowError)
