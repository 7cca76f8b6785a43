"""Every integration type, by the ``type`` its configuration names."""

from __future__ import annotations

from integration_health.checks.base import IntegrationConfig
from integration_health.checks.http import HttpConfig
from integration_health.checks.jira import JiraConfig
from integration_health.checks.pms import PmsConfig
from integration_health.checks.postman import PostmanConfig
from integration_health.checks.testmo import TestmoConfig

TYPES: dict[str, type[IntegrationConfig]] = {
    "http": HttpConfig,
    "jira": JiraConfig,
    "pms": PmsConfig,
    "postman": PostmanConfig,
    "testmo": TestmoConfig,
}
