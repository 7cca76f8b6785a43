"""Names people give things in the configuration: integrations and alert channels."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

_NAME = re.compile(r"^[a-z0-9._-]{1,64}$")


def _check_name(value: str) -> str:
    if not _NAME.match(value):
        raise ValueError("a name is 1-64 characters of lowercase letters, digits, '.', '_' or '-'")
    return value


Name = Annotated[str, AfterValidator(_check_name)]
"""A name: lowercase letters, digits, '.', '_' and '-', 1-64 characters."""
