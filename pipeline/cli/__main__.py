"""`python -m pipeline.cli`: the `resultsnight` command."""

import sys

from pipeline.cli import main

sys.exit(main())
