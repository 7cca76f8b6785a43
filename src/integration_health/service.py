"""The running service: store, monitor, HTTP session and scheduler, started and stopped as one."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import aiohttp

from integration_health.checks.base import IntegrationConfig, ProbeSpec
from integration_health.checks.probe import Thresholds, new_session, run_probe
from integration_health.clock import Clock, utcnow
from integration_health.config import Policy, Settings
from integration_health.domain import HealthCheckResult
from integration_health.monitor import Monitor
from integration_health.scheduler import CheckFn, Job, Scheduler
from integration_health.state import HealthStore

log = logging.getLogger("integration_health.service")


class Service:
    """Everything long-lived the API and the scheduler share."""

    def __init__(self, settings: Settings, *, now: Clock = utcnow) -> None:
        self.settings = settings
        self.now = now
        self.policies: dict[str, Policy] = {
            item.name: settings.policy(item) for item in settings.integrations
        }
        self.store = HealthStore(alert_after=lambda name: self.policies[name].alert_after)
        self.monitor = Monitor(self.store, now)
        self.started_at = now()
        self.scheduler: Scheduler | None = None
        self._session: aiohttp.ClientSession | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def max_timeout(self) -> timedelta:
        """Return the longest check deadline: how long a graceful stop may take."""
        return max((p.timeout for p in self.policies.values()), default=timedelta(0))

    def jobs(self, session: aiohttp.ClientSession) -> list[Job]:
        """Return a scheduler job for every probed integration."""
        jobs = []
        for item in self.settings.integrations:
            spec = item.probe()
            if spec is not None:
                policy = self.policies[item.name]
                check = probe_function(session, item, spec, policy.thresholds, self.now)
                jobs.append(Job(item.name, policy.interval.total_seconds(), check))
        return jobs

    async def start(self) -> None:
        """Start checking every integration in the background."""
        self._session = new_session(self.settings.monitor.concurrency)
        loop = asyncio.get_running_loop()
        self.scheduler = Scheduler(
            self.jobs(self._session),
            self.monitor.handle,
            concurrency=self.settings.monitor.concurrency,
            start=loop.time(),
        )
        self._task = loop.create_task(self.scheduler.run(), name="scheduler")
        log.info("monitoring %d integrations", len(self.settings.integrations))

    async def stop(self) -> None:
        """Stop scheduling, let running checks end or reach their deadline, close the session."""
        if self.scheduler is not None and self._task is not None:
            self.scheduler.stop()
            grace = self.max_timeout.total_seconds() + 0.5
            try:
                await asyncio.wait_for(asyncio.shield(self._task), grace)
            except TimeoutError:
                self._task.cancel()
                log.warning("checks still running at shutdown were cancelled")
        if self._session is not None:
            await self._session.close()


def probe_function(
    session: aiohttp.ClientSession,
    item: IntegrationConfig,
    spec: ProbeSpec,
    thresholds: Thresholds,
    now: Clock,
) -> CheckFn:
    """Return a function that probes ``item`` once."""

    async def check() -> HealthCheckResult:
        return await run_probe(session, item.name, spec, thresholds, now)

    return check
