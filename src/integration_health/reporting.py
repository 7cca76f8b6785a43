"""PMS integrations: each report becomes a result, and silence past ``stale_after`` an outage."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from integration_health.checks.pms import STALE_PREFIX, PmsConfig, evaluate, stale_message
from integration_health.domain import HealthCheckResult, HealthRecord, PmsMetrics
from integration_health.monitor import Monitor

KeepRecord = Callable[[HealthRecord], None]
"""Keep a history row that changes no state."""


class Reporting:
    """The PMS integrations, when each last reported, and which have gone silent."""

    def __init__(
        self,
        configs: Iterable[PmsConfig],
        monitor: Monitor,
        keep_record: KeepRecord,
        *,
        since: datetime,
    ) -> None:
        self._configs = {config.name: config for config in configs}
        self._monitor = monitor
        self._keep_record = keep_record
        self._since = since
        self._last_report: dict[str, datetime] = {}
        self._stale: set[str] = set()

    def __contains__(self, name: object) -> bool:
        return name in self._configs

    def restore(self) -> None:
        """Take each integration's last report, and whether it was silent, from the store."""
        for name in self._configs:
            state = self._monitor.store.get(name)
            if state is not None:
                self._last_report[name] = state.last_check
                if (state.error_message or "").startswith(STALE_PREFIX):
                    self._stale.add(name)

    def accept(self, name: str, metrics: PmsMetrics, at: datetime) -> HealthRecord:
        """Derive the status ``metrics`` stand for, record it, and return its history row."""
        status, message = evaluate(metrics, self._configs[name].thresholds)
        result = HealthCheckResult(name, status, None, message, at, metrics)
        record = HealthRecord.from_result(result)
        current = self._monitor.store.get(name)
        if current is not None and at < current.last_check:
            # A late report belongs in history but must not turn the clock back on the state.
            self._keep_record(record)
            return record
        self._last_report[name] = at
        self._stale.discard(name)
        self._monitor.handle(result)
        return record

    def sweep(self, now: datetime) -> None:
        """Record each integration silent for its ``stale_after`` as offline, once."""
        for name, config in self._configs.items():
            if name in self._stale:
                continue
            silence = now - self._last_report.get(name, self._since)
            if silence >= config.stale_after:
                self._stale.add(name)
                self._monitor.handle(HealthCheckResult.offline(name, stale_message(silence), now))
