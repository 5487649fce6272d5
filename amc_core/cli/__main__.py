"""`python -m amc_core.cli`."""

import sys

from amc_core.cli import main

sys.exit(main())
