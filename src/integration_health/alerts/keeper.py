"""Alert events become stored alerts and outbox rows; reminders go out while alerts stay open.

The monitor calls ``handle`` (it must not wait); ``run_once`` stores what is queued, in order.
While the database is down the events wait here, so no outage's notice is lost to it.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from uuid import uuid4

from integration_health.alerts import outbox
from integration_health.alerts.config import AlertSettings
from integration_health.alerts.dispatcher import Dispatcher
from integration_health.alerts.maintenance import MaintenanceCalendar
from integration_health.domain import AlertOpened, AlertResolved, Event
from integration_health.errors import DatabaseError
from integration_health.storage.alerts import AlertRepository

log = logging.getLogger("integration_health.alerts")

MAX_QUEUED = 10_000
"""Alert events kept while the database is down; past this the oldest are dropped, and said so."""


class AlertKeeper:
    """Stores each alert with its notifications (the outbox) and wakes the dispatcher."""

    def __init__(
        self,
        repository: AlertRepository,
        dispatcher: Dispatcher,
        *,
        settings: AlertSettings,
        routes: Mapping[str, Sequence[str] | None],
        calendar: MaintenanceCalendar,
        now: Callable[[], datetime],
    ) -> None:
        self._repository = repository
        self._dispatcher = dispatcher
        self._settings = settings
        self._routes = routes
        self._calendar = calendar
        self._now = now
        self._queue: deque[AlertOpened | AlertResolved] = deque()
        self._wake = asyncio.Event()
        self._storing = asyncio.Lock()
        self._down = False

    @property
    def pending(self) -> int:
        """Return how many alert events wait to be stored."""
        return len(self._queue)

    def handle(self, event: Event) -> None:
        """Queue an alert opening or resolution; other events are none of ours."""
        if not isinstance(event, AlertOpened | AlertResolved):
            return
        if len(self._queue) >= MAX_QUEUED:
            dropped = self._queue.popleft()
            log.error(
                "alert queue full while the database is down: dropped the %s of %s",
                "opening" if isinstance(dropped, AlertOpened) else "resolution",
                dropped.integration,
                extra={"integration": dropped.integration},
            )
        self._queue.append(event)
        self._wake.set()

    def channels(self, integration: str) -> list[str]:
        """Return the names of the channels ``integration`` alerts to."""
        return [channel.name for channel in self._settings.select(self._routes.get(integration))]

    async def run_once(self) -> int:
        """Store queued alert events in order, then due reminders; return how many were stored."""
        async with self._storing:
            return await self._store_queued()

    async def _store_queued(self) -> int:
        stored = 0
        try:
            while self._queue:
                await self._store(self._queue[0])
                self._queue.popleft()
                stored += 1
            stored += await self._remind()
        except DatabaseError as error:
            if not self._down:
                log.error(
                    "cannot store alerts (%s: %s); %d waiting, retrying",
                    error,
                    error.detail,
                    len(self._queue),
                )
            self._down = True
            return stored
        if self._down:
            log.info("alerts are stored again")
        self._down = False
        if stored:
            self._dispatcher.wake()
        return stored

    async def run(self, stop: asyncio.Event, every: float = 1.0) -> None:
        """Call ``run_once`` when woken or every ``every`` seconds until ``stop``; once more."""
        while not stop.is_set():
            self._wake.clear()
            await self.run_once()
            waits = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
            await asyncio.wait(waits, timeout=every, return_when=asyncio.FIRST_COMPLETED)
            for waiting in waits:
                waiting.cancel()
        await self.run_once()

    async def _store(self, event: AlertOpened | AlertResolved) -> None:
        names = self.channels(event.integration)
        if isinstance(event, AlertOpened):
            alert_id = uuid4()
            notices = outbox.notifications(names, alert_id, event)
            if not await self._repository.open_alert(alert_id, event, notices):
                log.info("%s already has an open alert; not opened twice", event.integration)
            return
        await self._repository.resolve_alert(
            event.integration,
            event,
            lambda alert_id: outbox.notifications(names, alert_id, event),
        )

    async def _remind(self) -> int:
        if not self._settings.repeat_every:
            return 0
        now = self._now()
        sent = 0
        for alert in await self._repository.open_alerts():
            last = alert.last_reminder_at or alert.opened_at
            quiet = self._calendar.active(alert.integration_id, now) is not None
            if quiet or not self._settings.reminder_due(last, now):
                continue
            reminders = outbox.reminders(self.channels(alert.integration_id), alert, now)
            if await self._repository.record_reminder(alert.id, now, reminders):
                sent += 1
        return sent
