"""Jira: the token is checked by fetching the current user."""

from __future__ import annotations

from typing import Literal

from pydantic import SecretStr

from integration_health.checks.base import HttpUrl, IntegrationConfig, ProbeSpec


class JiraConfig(IntegrationConfig):
    """A Jira site and a token with read access."""

    type: Literal["jira"]
    base_url: HttpUrl
    token: SecretStr

    def probe(self) -> ProbeSpec:
        """Return ``GET /rest/api/3/myself`` with the bearer token."""
        return ProbeSpec(
            url=f"{self.base_url}/rest/api/3/myself",
            headers={"Authorization": f"Bearer {self.token.get_secret_value()}"},
            unauthorized_message="Authentication expired - re-authentication required",
        )
