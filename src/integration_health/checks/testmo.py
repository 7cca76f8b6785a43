"""Testmo: the API key is validated by fetching the current user."""

from __future__ import annotations

from typing import Literal

from pydantic import SecretStr

from integration_health.checks.base import HttpUrl, IntegrationConfig, ProbeSpec


class TestmoConfig(IntegrationConfig):
    """A Testmo instance and an API key."""

    type: Literal["testmo"]
    base_url: HttpUrl
    api_key: SecretStr

    def probe(self) -> ProbeSpec:
        """Return ``GET /api/v1/user`` with the bearer API key."""
        return ProbeSpec(
            url=f"{self.base_url}/api/v1/user",
            headers={"Authorization": f"Bearer {self.api_key.get_secret_value()}"},
            unauthorized_message="Invalid API key",
        )
