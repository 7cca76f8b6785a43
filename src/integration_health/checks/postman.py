"""Postman: the API key is validated against ``/me``."""

from __future__ import annotations

from typing import Literal

from pydantic import SecretStr

from integration_health.checks.base import HttpUrl, IntegrationConfig, ProbeSpec


class PostmanConfig(IntegrationConfig):
    """A Postman API key; the API's address rarely needs changing."""

    type: Literal["postman"]
    api_key: SecretStr
    base_url: HttpUrl = "https://api.getpostman.com"

    def probe(self) -> ProbeSpec:
        """Return ``GET /me`` with the ``X-Api-Key`` header."""
        return ProbeSpec(
            url=f"{self.base_url}/me",
            headers={"X-Api-Key": self.api_key.get_secret_value()},
            unauthorized_message="Invalid API key",
        )
