"""PMS sync jobs: not probed; they report their sync statuses and rates, and go stale."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from integration_health.checks.base import IntegrationConfig, ProbeSpec
from integration_health.domain import HealthStatus, PmsMetrics, SyncStatus
from integration_health.durations import Duration, format_duration

Fraction = Annotated[Decimal, Field(ge=0, le=1, allow_inf_nan=False)]


class RateThreshold(BaseModel):
    """The rate at which an integration becomes degraded, and offline."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    degraded: Fraction
    offline: Fraction

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.degraded >= self.offline:
            raise ValueError("the degraded threshold must be below the offline threshold")
        return self


class PmsThresholds(BaseModel):
    """Rate thresholds; the defaults suit most PMS sync jobs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    error_rate: RateThreshold = RateThreshold(degraded=Decimal("0.02"), offline=Decimal("0.10"))
    booking_loss_rate: RateThreshold = RateThreshold(
        degraded=Decimal("0.005"), offline=Decimal("0.02")
    )


class PmsConfig(IntegrationConfig):
    """A PMS sync job that reports its own health through the API."""

    type: Literal["pms"]
    stale_after: Duration = timedelta(minutes=15)
    thresholds: PmsThresholds = PmsThresholds()

    def probe(self) -> ProbeSpec | None:
        """Return None: a PMS integration is never probed, it reports."""
        return None


def evaluate(metrics: PmsMetrics, thresholds: PmsThresholds) -> tuple[HealthStatus, str | None]:
    """Return the status ``metrics`` stand for and the rules that decided it, joined."""
    offline: list[str] = []
    degraded: list[str] = []
    for label, sync in (
        ("pricing", metrics.pricing_sync_status),
        ("fees", metrics.fees_sync_status),
    ):
        if sync is SyncStatus.FAILED:
            offline.append(f"{label} sync failed")
        elif sync is SyncStatus.DELAYED:
            degraded.append(f"{label} sync delayed")
    rates = (
        ("error rate", metrics.error_rate, thresholds.error_rate),
        ("booking loss rate", metrics.booking_loss_rate, thresholds.booking_loss_rate),
    )
    for label, rate, limit in rates:
        if rate is None:
            continue
        if rate >= limit.offline:
            offline.append(f"{label} {_percent(rate)} >= {_percent(limit.offline)}")
        elif rate >= limit.degraded:
            degraded.append(f"{label} {_percent(rate)} >= {_percent(limit.degraded)}")
    if offline:
        return HealthStatus.OFFLINE, "; ".join(offline)
    if degraded:
        return HealthStatus.DEGRADED, "; ".join(degraded)
    return HealthStatus.ONLINE, None


STALE_PREFIX = "No health report for"


def stale_message(silence: timedelta) -> str:
    """Return the error of a PMS integration that has not reported for ``silence``."""
    return f"{STALE_PREFIX} {format_duration(silence)}"


def _percent(rate: Decimal) -> str:
    return f"{rate * 100:.1f}%"
