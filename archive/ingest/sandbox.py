"""Extraction in a child process with a memory and a time limit.

A hostile file (a decompression bomb the libraries' own limits miss, a parser stuck in a loop)
then costs one short-lived process, never the web worker or the import of the other files.
The child (`python -m archive.ingest.worker FORMAT NAME`) reads the file on stdin and writes the
draft as JSON on stdout; it loads no Django. RLIMIT_AS caps its address space, a timeout its time.
"""

import json
import resource
import subprocess
import sys
from pathlib import Path

from archive.ingest.draft import Draft, ExtractionError

ROOT = Path(__file__).resolve().parent.parent.parent
# How running out of address space shows in the child: Python's MemoryError, a shared library
# that cannot be mapped (dlopen), or a C extension whose allocation failed without saying why.
_OUT_OF_MEMORY = (
    "MemoryError",
    "Cannot allocate memory",
    "failed to map segment",
    "error return without exception set",
)


def _limit(memory_bytes, seconds):
    def apply():
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        resource.setrlimit(resource.RLIMIT_CPU, (seconds + 1, seconds + 2))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def extract_in_subprocess(data, *, fmt, filename, limits):
    """The draft of `data` (format `fmt`), extracted in a limited child process."""
    mb = limits.memory_bytes // (1024 * 1024)
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "archive.ingest.worker", fmt, filename],
            input=data,
            capture_output=True,
            timeout=limits.seconds,
            cwd=ROOT,
            preexec_fn=_limit(limits.memory_bytes, limits.seconds),
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise ExtractionError(
            f"Reading {filename} took longer than {limits.seconds} s (ARCHIVE_INGEST_SECONDS); "
            "it was stopped."
        ) from error
    out = completed.stdout.decode("utf-8", errors="replace").strip()
    if completed.returncode == 0 and out:
        payload = json.loads(out)
        if "error" in payload:
            raise ExtractionError(payload["error"])
        return Draft.from_dict(payload["draft"])
    err = completed.stderr.decode("utf-8", errors="replace")
    if (
        completed.returncode in {3, -6, -9}
        or any(sign in err for sign in _OUT_OF_MEMORY)
        or "memory" in err.lower()
    ):
        raise ExtractionError(
            f"Reading {filename} needed more than {mb} MB of memory (ARCHIVE_INGEST_MEMORY_BYTES) and was "
            "stopped: the file is probably a decompression bomb."
        )
    if completed.returncode in {-24, 152}:  # SIGXCPU
        raise ExtractionError(f"Reading {filename} used more than {limits.seconds} s of CPU; it was stopped.")
    last = err.strip().splitlines()[-1] if err.strip() else f"exit status {completed.returncode}"
    raise ExtractionError(f"Reading {filename} failed ({last}).")
