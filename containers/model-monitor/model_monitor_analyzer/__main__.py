"""`python -m model_monitor_analyzer`: the image's entry point (one job, its exit status)."""

import sys

from .main import main

sys.exit(main())
