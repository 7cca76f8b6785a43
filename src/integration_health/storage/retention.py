"""Retention: history rows and events older than the retention period are deleted hourly."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from integration_health.errors import DatabaseError
from integration_health.storage.repository import IntegrationHealthRepository

log = logging.getLogger("integration_health.storage")

PRUNE_EVERY = timedelta(hours=1)


async def prune_once(
    repository: IntegrationHealthRepository, now: datetime, retention: timedelta
) -> int:
    """Delete what is older than ``retention`` at ``now``; return how many rows went."""
    removed = await repository.prune(now - retention)
    if removed:
        log.info("Pruned %d history rows and events older than %s", removed, now - retention)
    return removed


async def run(
    repository: IntegrationHealthRepository,
    retention: timedelta,
    stop: asyncio.Event,
    clock: Callable[[], datetime],
    every: timedelta = PRUNE_EVERY,
) -> None:
    """Prune at once and then every ``every`` until ``stop``; a failed prune waits for the next."""
    while not stop.is_set():
        try:
            await prune_once(repository, clock(), retention)
        except DatabaseError as error:
            _failed(error, every)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every.total_seconds())


def _failed(error: DatabaseError, every: timedelta) -> None:
    log.error("%s (%s); retrying in %s", error, error.detail, every)
