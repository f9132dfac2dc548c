"""`python -m pipelines.corpus {export,duplicates,overview} INPUT... [options]`."""

import sys

from pipelines.corpus.cli import main

sys.exit(main())
