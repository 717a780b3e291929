"""Progress of a long read, from the extraction child to whoever waits for it.

In the sandbox child (archive.ingest.worker) `report_progress(done, total, stage)` writes one line
`progress DONE TOTAL STAGE` to stderr, which the parent reads as it goes (archive.ingest.sandbox)
and the upload's progress page shows. Elsewhere (extraction in-process) it does nothing. No Django.
"""

import os
import sys

ENV = "ARCHIVE_INGEST_PROGRESS"


def report_progress(done, total, stage):
    """`done` of `total` units (pages) of `stage` ("text", "ocr") are read."""
    if os.environ.get(ENV) == "1":
        sys.stderr.write(f"progress {int(done)} {int(total)} {stage}\n")
        sys.stderr.flush()


def parse_progress(line):
    """(done, total, stage) from a line `report_progress` wrote, or None."""
    parts = line.split()
    if len(parts) == 4 and parts[0] == "progress" and parts[1].isdigit() and parts[2].isdigit():
        return int(parts[1]), int(parts[2]), parts[3]
    return None
