"""What every integration type shares: its configuration base and the request it probes with."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict

from integration_health.alerts.config import MaintenanceWindow
from integration_health.durations import Duration
from integration_health.names import Name


def _check_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http:// or https:// URL with a host")
    return value.rstrip("/")


HttpUrl = Annotated[str, AfterValidator(_check_url)]
"""An http(s) URL with a host, kept as written but for a trailing slash."""


@dataclass(frozen=True, slots=True)
class ProbeSpec:
    """The one GET request that tells whether an integration is up."""

    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    unauthorized_message: str = "Unauthorized - check the configured credentials"
    expect_status: frozenset[int] | None = None
    """Statuses that mean success; None means any 2xx."""

    def accepts(self, status: int) -> bool:
        """Return whether an HTTP status means the integration answered as it should."""
        if self.expect_status is None:
            return 200 <= status < 300
        return status in self.expect_status


class IntegrationConfig(BaseModel):
    """One configured integration. Each type subclasses it with its own fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name
    type: str
    interval: Duration | None = None
    timeout: Duration | None = None
    degraded_after: Duration | None = None
    alert_after: Duration | None = None
    alert_channels: tuple[Name, ...] | None = None
    """The alert channels this integration notifies; None means every channel."""
    maintenance: tuple[MaintenanceWindow, ...] = ()

    def probe(self) -> ProbeSpec | None:
        """Return the request that checks this integration, or None if it reports instead."""
        raise NotImplementedError
