"""Sends what the outbox holds: every channel on its own, retried with backoff for up to 24 h.

Delivery is at least once: a notification sent just before a crash, and not yet marked, is
sent again after the restart. Receivers deduplicate on ``alertId`` with ``event`` and
``occurredAt``.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from integration_health.alerts import outbox
from integration_health.alerts.backoff import Random, next_attempt
from integration_health.alerts.delivery import Channel, Delivery, Outcome
from integration_health.alerts.notification import Notification
from integration_health.errors import DatabaseError

if TYPE_CHECKING:
    from integration_health.storage.alert_rows import OutboxRow
    from integration_health.storage.alerts import AlertRepository

log = logging.getLogger("integration_health.alerts")

Clock = Callable[[], datetime]
"""Return the current time as an aware UTC datetime."""


class Dispatcher:
    """Takes due notifications from the outbox, sends them, and records how each went.

    Each channel has its own ``per_channel`` sending slots, so a slow or dead channel only
    ever waits on itself. A notification being sent is never taken again by an overlapping
    ``run_once``.
    """

    def __init__(
        self,
        repository: AlertRepository,
        channels: Mapping[str, Channel],
        *,
        now: Clock,
        rng: Random | None = None,
        per_channel: int = 4,
        batch_size: int = 100,
    ) -> None:
        self._repository = repository
        self._channels = dict(channels)
        self._now = now
        self._rng: Random = rng or random.SystemRandom()
        self._per_channel = per_channel
        self._batch_size = batch_size
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._in_flight: set[UUID] = set()
        self._wake = asyncio.Event()
        self._healthy = True

    @property
    def sending(self) -> int:
        """Return how many notifications are being sent now."""
        return len(self._in_flight)

    def wake(self) -> None:
        """Make ``run`` look at the outbox now: call it after storing notifications."""
        self._wake.set()

    async def run_once(self) -> int:
        """Send every due notification once, all channels at once; return how many were tried."""
        rows = await self._repository.due(self._now(), self._batch_size, self._in_flight)
        # Another run_once may have taken some of these while this one waited for the query.
        rows = [row for row in rows if row.id not in self._in_flight]
        self._in_flight.update(row.id for row in rows)
        await asyncio.gather(*(self._deliver(row) for row in rows))
        return len(rows)

    async def run(self, stop: asyncio.Event, poll: float = 1.0, grace: float = 5.0) -> None:
        """Run ``run_once`` every ``poll`` seconds, or when woken, until ``stop``.

        Each round runs on its own, so new notifications need not wait for a slow channel's
        round to end. On ``stop``, sends under way get ``grace`` seconds to finish; any cut
        short are sent again after the next start.
        """
        rounds: set[asyncio.Task[int]] = set()
        try:
            while not stop.is_set():
                self._wake.clear()
                task = asyncio.create_task(self._round())
                rounds.add(task)
                task.add_done_callback(rounds.discard)
                await _first(stop, self._wake, poll)
            if rounds:
                await asyncio.wait(rounds, timeout=grace)
        finally:
            for task in rounds:
                task.cancel()
            await asyncio.gather(*rounds, return_exceptions=True)

    async def _round(self) -> int:
        try:
            tried = await self.run_once()
        except DatabaseError as error:
            if self._healthy:
                log.error("Cannot read the alert outbox: %s (%s); retrying", error, error.detail)
            self._healthy = False
            return 0
        if not self._healthy:
            log.info("The alert outbox can be read again")
        self._healthy = True
        return tried

    async def _deliver(self, row: OutboxRow) -> None:
        # A failure to record the outcome leaves the row pending: it is sent again later,
        # which at-least-once delivery allows. It must not stop the other rows.
        try:
            await self._attempt(row)
        except DatabaseError as error:
            log.error(
                "Cannot record the delivery of a notification to alert channel %s: %s (%s)",
                row.channel,
                error,
                error.detail,
            )
        finally:
            self._in_flight.discard(row.id)

    async def _attempt(self, row: OutboxRow) -> None:
        channel = self._channels.get(row.channel)
        if channel is None:
            reason = f"channel '{row.channel}' is no longer configured"
            await self._give_up(row, row.attempts, reason)
            return
        try:
            notification = outbox.decode(row.payload)
        except ValueError as error:
            await self._give_up(row, row.attempts, str(error))
            return
        async with self._slot(row.channel):
            delivery = await _send(channel, notification)
        now = self._now()
        attempts = row.attempts + 1
        if delivery.outcome is Outcome.DELIVERED:
            await self._repository.mark_delivered(row.id, now, attempts)
            if row.attempts:
                log.info(
                    "Alert channel %s took the %s notification for %s on attempt %d",
                    row.channel,
                    row.event,
                    notification.integration,
                    attempts,
                )
        elif delivery.outcome is Outcome.PERMANENT:
            # The channel has logged the refusal itself (delivery.report), naming only itself.
            await self._repository.mark_given_up(row.id, now, delivery.reason, attempts)
        else:
            await self._retry(row, notification, delivery, now)

    async def _retry(
        self, row: OutboxRow, notification: Notification, delivery: Delivery, now: datetime
    ) -> None:
        attempts = row.attempts + 1
        first_failure = row.first_failure_at or now
        at = next_attempt(attempts, first_failure, now, self._rng)
        if at is None:
            reason = f"{delivery.reason}; gave up after retrying for 24 h"
            await self._give_up(row, attempts, reason)
            return
        await self._repository.mark_retry(row.id, attempts, at, first_failure, delivery.reason)
        if attempts == 1:
            log.warning(
                "Alert channel %s could not take the %s notification for %s (%s); retrying",
                row.channel,
                row.event,
                notification.integration,
                delivery.reason,
            )

    async def _give_up(self, row: OutboxRow, attempts: int, reason: str) -> None:
        await self._repository.mark_given_up(row.id, self._now(), reason, attempts)
        integration = row.payload.get("integration")
        log.error(
            "Gave up on the %s notification for %s to alert channel %s: %s",
            row.event,
            integration,
            row.channel,
            reason,
            extra={"integration": integration, "error": reason},
        )

    def _slot(self, channel: str) -> asyncio.Semaphore:
        slot = self._slots.get(channel)
        if slot is None:
            slot = self._slots[channel] = asyncio.Semaphore(self._per_channel)
        return slot


async def _send(channel: Channel, notification: Notification) -> Delivery:
    try:
        return await channel.send(notification)
    except Exception as error:  # noqa: BLE001
        # ``send`` promises not to raise; should one break that promise, the notification
        # is retried like any other failure rather than taking the dispatcher down. Only the
        # exception's type is logged: its text may quote the channel's URL.
        log.error("Alert channel %s failed unexpectedly (%s)", channel.name, type(error).__name__)
        return Delivery.retryable(f"unexpected {type(error).__name__}")


async def _first(stop: asyncio.Event, wake: asyncio.Event, seconds: float) -> None:
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
