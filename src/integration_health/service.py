"""The running service: store, monitor, history, HTTP session and scheduler, as one."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from datetime import datetime, timedelta

import aiohttp

from integration_health.alerts.channels import build_channels
from integration_health.alerts.config import maintenance_calendar
from integration_health.alerts.dispatcher import Dispatcher
from integration_health.alerts.keeper import AlertKeeper
from integration_health.checks.pms import PmsConfig
from integration_health.checks.probe import bind, new_session
from integration_health.clock import Clock, utcnow
from integration_health.config import Policy, Settings
from integration_health.domain import Event, HealthCheckResult, HealthRecord
from integration_health.errors import DatabaseError
from integration_health.history import stored_event
from integration_health.monitor import Monitor
from integration_health.reporting import Reporting
from integration_health.scheduler import Job, Scheduler
from integration_health.state import HealthStore
from integration_health.storage import (
    AlertRepository,
    HistoryWriter,
    IntegrationHealthRepository,
    create_engine,
    redact,
    retention,
    upgrade,
)

log = logging.getLogger("integration_health.service")

DATABASE_START_DEADLINE = 10.0
"""Seconds start-up waits for the database before monitoring goes on without it."""
FINAL_FLUSH_DEADLINE = 0.5
"""Seconds a stop waits for the last history rows to be written."""
DELIVERY_GRACE = 0.3
"""Seconds a stop gives notifications being sent; those cut short go out after the next start."""
STATE_EVERY = timedelta(minutes=1)
"""How stale the saved state of an unchanged integration may get (restored after a restart)."""
SWEEP_EVERY = 1.0
"""Seconds between looks for silent PMS integrations and alerts due between results."""


class Service:
    """Everything long-lived the API and the scheduler share."""

    def __init__(self, settings: Settings, *, now: Clock = utcnow) -> None:
        self.settings = settings
        self.now = now
        self.policies: dict[str, Policy] = {
            item.name: settings.policy(item) for item in settings.integrations
        }
        self.started_at = now()
        self.calendar = maintenance_calendar(
            settings.maintenance,
            {item.name: item.maintenance for item in settings.integrations if item.maintenance},
        )
        self.store = HealthStore(
            alert_after=lambda name: self.policies[name].alert_after,
            quiet=self.calendar.suppressed_until,
            grace_until=self._grace_until,
        )
        self.monitor = Monitor(self.store, now)
        self.engine = create_engine(settings.database.url)
        self.repository = IntegrationHealthRepository(self.engine, clock=now)
        self.writer = HistoryWriter(self.repository)
        self.reporting = Reporting(
            (item for item in settings.integrations if isinstance(item, PmsConfig)),
            self.monitor,
            self.writer.add_record,
            since=self.started_at,
        )
        self._state_kept: dict[str, datetime] = {}
        self.alerts = AlertRepository(self.engine)
        self.dispatcher = Dispatcher(self.alerts, build_channels(settings.alerts), now=now)
        self.keeper = AlertKeeper(
            self.alerts,
            self.dispatcher,
            settings=settings.alerts,
            routes={item.name: item.alert_channels for item in settings.integrations},
            calendar=self.calendar,
            now=now,
        )
        self.monitor.on_result(self._keep_result)
        self.monitor.on_event(self._keep_event)
        self.monitor.on_event(self.keeper.handle)
        self.scheduler: Scheduler | None = None
        self._session: aiohttp.ClientSession | None = None
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._scheduler_task: asyncio.Task[None] | None = None

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
                check = bind(session, item.name, spec, policy.thresholds, self.now)
                jobs.append(Job(item.name, policy.interval.total_seconds(), check))
        return jobs

    def _grace_until(self, name: str) -> datetime:
        # Outages seen right after start may be the monitor's own: one interval to report.
        policy = self.policies[name]
        return self.started_at + policy.interval + policy.alert_after

    async def start(self, *, monitor: bool = True) -> None:
        """Open the database and restore state; then, with ``monitor``, start checking."""
        await self._open_database()
        self._tasks.append(asyncio.create_task(self.writer.run(self._stop), name="writer"))
        self._tasks.append(asyncio.create_task(self.keeper.run(self._stop), name="alerts"))
        self._tasks.append(
            asyncio.create_task(
                self.dispatcher.run(self._stop, grace=DELIVERY_GRACE), name="notifications"
            )
        )
        self._tasks.append(
            asyncio.create_task(
                retention.run(
                    self.repository, self.settings.database.retention, self._stop, self.now
                ),
                name="retention",
            )
        )
        if not monitor:
            return
        self._tasks.append(asyncio.create_task(self._sweep_forever(), name="sweep"))
        self._session = new_session(self.settings.monitor.concurrency)
        loop = asyncio.get_running_loop()
        self.scheduler = Scheduler(
            self.jobs(self._session),
            self.monitor.handle,
            concurrency=self.settings.monitor.concurrency,
            start=loop.time(),
        )
        self._scheduler_task = loop.create_task(self.scheduler.run(), name="scheduler")
        log.info("monitoring %d integrations", len(self.settings.integrations))

    async def stop(self) -> None:
        """Stop scheduling, let running checks end or reach their deadline, write what is left."""
        if self.scheduler is not None and self._scheduler_task is not None:
            self.scheduler.stop()
            grace = self.max_timeout.total_seconds() + 0.2
            try:
                await asyncio.wait_for(asyncio.shield(self._scheduler_task), grace)
            except TimeoutError:
                self._scheduler_task.cancel()
                log.warning("checks still running at shutdown were cancelled")
        if self._session is not None:
            await self._session.close()
        self._stop.set()
        _, late = await asyncio.wait(self._tasks, timeout=FINAL_FLUSH_DEADLINE)
        for task in late:
            task.cancel()
        if late:
            log.error("stopped before %d history rows could be written", self.writer.pending)
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*late, return_exceptions=True)
        await self.engine.dispose()

    async def _open_database(self) -> None:
        where = redact(self.settings.database.url)
        try:
            async with asyncio.timeout(DATABASE_START_DEADLINE):
                if self.settings.database.auto_migrate:
                    await upgrade(self.settings.database.url)
                remembered = await self.repository.load_states()
                alerting = {alert.integration_id for alert in await self.alerts.open_alerts()}
        except DatabaseError as error:
            # Monitoring goes on without the database; history waits in memory for it.
            reason = f"{error}: {error.detail}" if error.detail else str(error)
            log.error("database %s unavailable at start (%s); monitoring goes on", where, reason)
            return
        except (OSError, TimeoutError) as error:
            reason = str(error) or "no answer in time"
            log.error("database %s unavailable at start (%s); monitoring goes on", where, reason)
            return
        except Exception as error:  # noqa: BLE001 - a failed migration must not stop the checks
            log.error("database %s could not be migrated (%s)", where, type(error).__name__)
            return
        # The alerts table is written with each alert; the state snapshot may lag behind it.
        self.store.restore(
            dataclasses.replace(state, alert_open=state.integration in alerting)
            for state in remembered
            if state.integration in self.policies
        )
        self.reporting.restore()
        log.info("database %s ready; restored %d integrations", where, len(self.store))

    def sweep_once(self) -> None:
        """Mark PMS integrations that went silent offline, and open alerts that are due."""
        self.reporting.sweep(self.now())
        self.monitor.sweep()

    async def _sweep_forever(self) -> None:
        while not self._stop.is_set():
            self.sweep_once()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), SWEEP_EVERY)

    def _keep_result(self, result: HealthCheckResult) -> None:
        self.writer.add_record(HealthRecord.from_result(result))
        # Every change comes as an event and saves the state at once; between changes, the
        # snapshot need only be roughly current: it halves the rows a fast check writes.
        kept = self._state_kept.get(result.integration)
        if kept is None or result.checked_at - kept >= STATE_EVERY:
            self._keep_state(result.integration, result.checked_at)

    def _keep_event(self, event: Event) -> None:
        self.writer.add_event(stored_event(event))
        self._keep_state(event.integration, event.occurred_at)

    def _keep_state(self, integration: str, at: datetime) -> None:
        state = self.store.get(integration)
        if state is not None:
            self.writer.add_state(state)
            self._state_kept[integration] = at
