"""The production settings (archive.settings, read from the environment as in production) with
the collected static files in the benchmark's work folder instead of the repository's var/."""

import os
from pathlib import Path

from archive.settings import *  # noqa: F403

STATIC_ROOT = Path(os.environ["BENCH_STATIC_ROOT"])
