"""Alerts and their notification outbox: a notification is stored before it is ever sent.

Opening, resolving and reminding each write the alert and its notifications in one
transaction, so a crash can lose neither half; the dispatcher then works through the rows
still pending, and a row sent but not yet marked is sent again after a restart.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from sqlalchemy import Row, and_, bindparam, exists, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from integration_health.domain import AlertOpened, AlertResolved
from integration_health.storage.alert_rows import (
    AlertRow,
    AlertState,
    ChannelDelivery,
    ListedAlert,
    OutboxRow,
    alert_from,
    alert_row,
    delivery_from,
    outbox_from,
)
from integration_health.storage.runner import Runner, Work
from integration_health.storage.tables import alerts, notifications

if TYPE_CHECKING:
    # Only the type: the alerts package imports this module for its dispatcher.
    from integration_health.alerts.notification import Notification


Outgoing = Sequence[tuple[str, "Notification"]]
"""Notifications to store, each with the name of the channel it goes to."""


_a = alerts.c
_n = notifications.c
_OPEN = _a.resolved_at.is_(None)
_PENDING = and_(_n.delivered_at.is_(None), _n.given_up_at.is_(None))


class AlertRepository:
    """Alerts and the outbox of their notifications, in the same database as the history."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._run = Runner(engine).run

    async def open_alert(self, alert_id: UUID, opened: AlertOpened, outgoing: Outgoing) -> bool:
        """Store an open alert and its notifications together; False if one is already open."""

        _check_ids(alert_id, outgoing)

        async def work(connection: AsyncConnection) -> bool:
            row = alert_row(alert_id, opened)
            if (await connection.execute(_open_statement(connection), row)).first() is None:
                return False
            await _enqueue(connection, alert_id, outgoing, opened.occurred_at)
            return True

        return await self._run("Failed to store the opened alert", work, transaction=True)

    async def resolve_alert(
        self,
        integration_id: str,
        resolved: AlertResolved,
        outgoing: Callable[[UUID], Outgoing],
    ) -> UUID | None:
        """Resolve the open alert of an integration and store ``outgoing(its id)``.

        Return the alert's id, or None (storing nothing) if the integration has no open alert.
        """
        statement = (
            update(alerts)
            .where(_a.integration_id == integration_id, _OPEN)
            .values(resolved_at=resolved.occurred_at)
            .returning(_a.id)
        )

        async def work(connection: AsyncConnection) -> UUID | None:
            alert_id: UUID | None = (await connection.execute(statement)).scalar()
            if alert_id is not None:
                sent = outgoing(alert_id)
                _check_ids(alert_id, sent)
                await _enqueue(connection, alert_id, sent, resolved.occurred_at)
            return alert_id

        return await self._run("Failed to store the resolved alert", work, transaction=True)

    async def record_reminder(self, alert_id: UUID, now: datetime, outgoing: Outgoing) -> bool:
        """Note a reminder sent at ``now`` and store its notifications; False if not open."""
        _check_ids(alert_id, outgoing)
        statement = (
            update(alerts)
            .where(_a.id == alert_id, _OPEN)
            .values(last_reminder_at=now)
            .returning(_a.id)
        )

        async def work(connection: AsyncConnection) -> bool:
            if (await connection.execute(statement)).first() is None:
                return False
            await _enqueue(connection, alert_id, outgoing, now)
            return True

        return await self._run("Failed to store the alert reminder", work, transaction=True)

    async def open_alerts(self) -> list[AlertRow]:
        """Return every open alert, oldest first."""
        query = select(alerts).where(_OPEN).order_by(_a.opened_at, _a.id)
        found = await self._run("Failed to load the open alerts", _fetch(query))
        return [alert_from(row) for row in found]

    async def due(
        self, now: datetime, limit: int = 100, exclude: Collection[UUID] = ()
    ) -> list[OutboxRow]:
        """Return pending notifications due by ``now``, oldest first, except those ``exclude``s.

        A notification waits while an older one of the same alert is pending on its channel,
        so each channel hears of an alert's events in the order they happened.
        """
        earlier = notifications.alias("earlier")
        older_pending = exists().where(
            earlier.c.alert_id == _n.alert_id,
            earlier.c.channel == _n.channel,
            earlier.c.delivered_at.is_(None),
            earlier.c.given_up_at.is_(None),
            or_(
                earlier.c.created_at < _n.created_at,
                and_(earlier.c.created_at == _n.created_at, earlier.c.id < _n.id),
            ),
        )
        query = (
            select(*_OUTBOX_COLUMNS)
            .where(_PENDING, _n.next_attempt_at <= now, ~older_pending)
            .order_by(_n.created_at, _n.id)
            .limit(limit)
        )
        if exclude:
            query = query.where(_n.id.not_in(bindparam("exclude", list(exclude), expanding=True)))
        found = await self._run("Failed to fetch due notifications", _fetch(query))
        return [outbox_from(row) for row in found]

    async def mark_delivered(self, notification_id: UUID, now: datetime, attempts: int) -> None:
        """Record that a notification was delivered at ``now`` on attempt ``attempts``."""
        await self._mark(
            "Failed to mark a notification delivered",
            notification_id,
            attempts=attempts,
            delivered_at=now,
        )

    async def mark_retry(
        self,
        notification_id: UUID,
        attempts: int,
        next_attempt_at: datetime,
        first_failure_at: datetime,
        reason: str,
    ) -> None:
        """Record a failed attempt and when to try again."""
        await self._mark(
            "Failed to schedule a notification retry",
            notification_id,
            attempts=attempts,
            next_attempt_at=next_attempt_at,
            first_failure_at=first_failure_at,
            last_error=reason,
        )

    async def mark_given_up(
        self, notification_id: UUID, now: datetime, reason: str, attempts: int
    ) -> None:
        """Record that a notification will never be sent, and why."""
        await self._mark(
            "Failed to mark a notification given up",
            notification_id,
            attempts=attempts,
            given_up_at=now,
            last_error=reason,
        )

    async def list_alerts(
        self,
        state: AlertState | None = None,
        integration: str | None = None,
        limit: int = 100,
    ) -> list[ListedAlert]:
        """Return alerts newest first, each with its notifications' delivery on every channel."""
        query = select(alerts).order_by(_a.opened_at.desc(), _a.id).limit(limit)
        if state == "open":
            query = query.where(_OPEN)
        elif state == "resolved":
            query = query.where(_a.resolved_at.is_not(None))
        if integration is not None:
            query = query.where(_a.integration_id == integration)

        async def work(connection: AsyncConnection) -> list[ListedAlert]:
            found = [alert_from(row) for row in (await connection.execute(query)).all()]
            if not found:
                return []
            sent = (
                select(notifications)
                .where(_n.alert_id.in_([alert.id for alert in found]))
                .order_by(_n.created_at, _n.channel, _n.id)
            )
            deliveries: dict[UUID, list[ChannelDelivery]] = {alert.id: [] for alert in found}
            for row in (await connection.execute(sent)).all():
                deliveries[row.alert_id].append(delivery_from(row))
            return [ListedAlert(alert, deliveries[alert.id]) for alert in found]

        return await self._run("Failed to list alerts", work)

    async def _mark(self, context: str, notification_id: UUID, **values: Any) -> None:
        statement = update(notifications).where(_n.id == notification_id).values(**values)

        async def work(connection: AsyncConnection) -> None:
            await connection.execute(statement)

        await self._run(context, work)


_OUTBOX_COLUMNS = (
    _n.id,
    _n.alert_id,
    _n.channel,
    _n.event,
    _n.payload,
    _n.created_at,
    _n.attempts,
    _n.next_attempt_at,
    _n.first_failure_at,
)


def _open_statement(connection: AsyncConnection) -> Any:
    # The partial unique index decides: a second open alert for an integration is skipped
    # rather than raised, so the caller learns of it without parsing a driver error.
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    return (
        insert(alerts)
        .on_conflict_do_nothing(index_elements=[_a.integration_id], index_where=_OPEN)
        .returning(_a.id)
    )


def _check_ids(alert_id: UUID, outgoing: Outgoing) -> None:
    for _, notification in outgoing:
        if notification.alert_id != alert_id:
            raise ValueError(
                f"a notification of alert {notification.alert_id} given for {alert_id}"
            )


async def _enqueue(
    connection: AsyncConnection, alert_id: UUID, outgoing: Outgoing, now: datetime
) -> None:
    if not outgoing:
        return
    rows = [
        {
            "id": uuid4(),
            "alert_id": alert_id,
            "channel": channel,
            "event": notification.event.value,
            "payload": notification.to_json(),
            "created_at": now,
            "attempts": 0,
            "next_attempt_at": now,
            "first_failure_at": None,
            "delivered_at": None,
            "given_up_at": None,
            "last_error": None,
        }
        for channel, notification in outgoing
    ]
    await connection.execute(notifications.insert(), rows)


def _fetch(statement: Any) -> Work[Sequence[Row[Any]]]:
    async def fetch(connection: AsyncConnection) -> Sequence[Row[Any]]:
        return (await connection.execute(statement)).all()

    return fetch
