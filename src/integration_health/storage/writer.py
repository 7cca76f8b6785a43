"""Buffered, batched history writes that keep database trouble off the check path."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from integration_health.domain import HealthRecord, IntegrationEvent, IntegrationHealth
from integration_health.errors import DatabaseError
from integration_health.storage.repository import IntegrationHealthRepository, is_refusal

log = logging.getLogger("integration_health.storage")

T = TypeVar("T")
Store = Callable[[Sequence[T]], Awaitable[int]]


class HistoryWriter:
    """History rows, events and states buffered in memory and written in batches.

    ``add_*`` never waits. Rows outlive a database outage in the buffer; past
    ``max_pending`` the oldest history rows and events are dropped, and said so in the log.
    States keep only the latest per integration, so they are bounded by the integrations.
    """

    def __init__(
        self,
        repository: IntegrationHealthRepository,
        *,
        max_pending: int = 100_000,
        batch_size: int = 1_000,
        interval: float = 1.0,
    ) -> None:
        self._repository = repository
        self._max_pending = max_pending
        self._batch_size = batch_size
        self._interval = interval
        self._rows: deque[HealthRecord | IntegrationEvent] = deque()
        self._states: dict[str, IntegrationHealth] = {}
        self._in_flight = 0
        self._dropped = 0
        self._healthy = True
        self._wake = asyncio.Event()
        self._flushing = asyncio.Lock()

    @property
    def healthy(self) -> bool:
        """Return False from a failed write until a flush succeeds."""
        return self._healthy

    @property
    def pending(self) -> int:
        """Return how many rows, events and states wait to be written."""
        return len(self._rows) + len(self._states) + self._in_flight

    def add_record(self, record: HealthRecord) -> None:
        """Queue one history row."""
        self._append(record)

    def add_event(self, event: IntegrationEvent) -> None:
        """Queue one event."""
        self._append(event)

    def add_state(self, state: IntegrationHealth) -> None:
        """Queue an integration's current state, replacing any not yet written."""
        self._states[state.integration] = state
        self._nudge()

    async def run(self, stop: asyncio.Event) -> None:
        """Flush every ``interval``, or when a batch is waiting, until ``stop``; then once more."""
        while not stop.is_set():
            await self._wait(stop)
            await self.flush_once()
        await self.flush_once()
        if self.pending:
            log.error("Stopping with %d history rows unwritten", self.pending)

    async def flush_once(self) -> int:
        """Write what is buffered, in batches; return how many rows, events and states went."""
        async with self._flushing:
            written = 0
            if not self.pending and not self._healthy and not await self._repository.ping():
                return 0
            try:
                for _ in range(-(-len(self._rows) // self._batch_size)):
                    written += await self._flush_rows()
                written += await self._flush_states()
            except DatabaseError as error:
                self._went_down(error)
            else:
                self._came_back()
            finally:
                self._report_dropped()
            return written

    def _append(self, item: HealthRecord | IntegrationEvent) -> None:
        if len(self._rows) >= self._max_pending:
            self._rows.popleft()
            self._dropped += 1
        self._rows.append(item)
        self._nudge()

    def _nudge(self) -> None:
        if len(self._rows) + len(self._states) >= self._batch_size:
            self._wake.set()

    async def _wait(self, stop: asyncio.Event) -> None:
        waiters = [asyncio.ensure_future(stop.wait())]
        # While the database is down, a full batch is no reason to retry sooner.
        if self._healthy:
            waiters.append(asyncio.ensure_future(self._wake.wait()))
        try:
            await asyncio.wait(waiters, timeout=self._interval, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
        self._wake.clear()

    async def _flush_rows(self) -> int:
        count = min(self._batch_size, len(self._rows))
        batch = [self._rows.popleft() for _ in range(count)]
        records = [item for item in batch if isinstance(item, HealthRecord)]
        events = [item for item in batch if isinstance(item, IntegrationEvent)]
        self._in_flight = count
        try:
            try:
                written = await self._store(self._repository.store_health_statuses, records)
            except DatabaseError:
                self._requeue(batch)
                raise
            try:
                written += await self._store(self._repository.store_events, events)
            except DatabaseError:
                self._requeue(events)
                raise
        finally:
            self._in_flight = 0
        return written

    async def _flush_states(self) -> int:
        states = list(self._states.values())
        self._states = {}
        written = 0
        for start in range(0, len(states), self._batch_size):
            try:
                written += await self._store(
                    self._repository.upsert_states, states[start : start + self._batch_size]
                )
            except DatabaseError:
                for state in states[start:]:
                    # A state queued during the failed write is newer: keep that one.
                    self._states.setdefault(state.integration, state)
                raise
        return written

    async def _store(self, store: Store[T], items: list[T]) -> int:
        if not items:
            return 0
        try:
            return await store(items)
        except DatabaseError as error:
            if not is_refusal(error):
                raise
        # The database works but refused some row: one bad row must not hold back the
        # rest forever, so write them one by one and drop the ones it refuses.
        written, refusals = 0, []
        for item in items:
            try:
                written += await store([item])
            except DatabaseError as error:
                if not is_refusal(error):
                    raise
                refusals.append(error)
        if refusals:
            last = refusals[-1]
            log.error(
                "Dropped %d rows the database refused: %s (%s)", len(refusals), last, last.detail
            )
        return written

    def _requeue(self, items: Sequence[HealthRecord | IntegrationEvent]) -> None:
        room = self._max_pending - len(self._rows)
        overflow = max(len(items) - room, 0)
        self._dropped += overflow
        # The failed batch is older than anything queued since, so it goes back in front.
        self._rows.extendleft(reversed(items[overflow:]))

    def _went_down(self, error: DatabaseError) -> None:
        if self._healthy:
            log.error(
                "Cannot write history: %s (%s); keeping %d rows in memory and retrying",
                error,
                error.detail,
                self.pending,
            )
        self._healthy = False

    def _came_back(self) -> None:
        if not self._healthy:
            log.info("History writes work again; %d rows still waiting", self.pending)
        self._healthy = True

    def _report_dropped(self) -> None:
        if self._dropped:
            log.error(
                "History buffer full (%d rows): dropped the %d oldest rows",
                self._max_pending,
                self._dropped,
            )
            self._dropped = 0
