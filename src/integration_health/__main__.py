"""``python -m integration_health``: the same as the ``integration-health`` command."""

import sys

from integration_health.cli import main

sys.exit(main())
