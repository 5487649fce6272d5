import sys

from amc_app.main import main

sys.exit(main())
