"""Extraction in a child process with a memory and a time limit.

A hostile file (a decompression bomb the libraries' own limits miss, a parser stuck in a loop)
then costs one short-lived process, never the web worker or the import of the other files.
The child (`python -m archive.ingest.worker extract FORMAT NAME`) reads the file on stdin and
writes the draft as JSON on stdout; it loads no Django. RLIMIT_AS caps its address space. The
child reports pages read on stderr (archive.ingest.progress), passed on to
`on_progress(done, total, stage)`; the parent stops it (and the tesseract it runs: one process
group) when it goes `ARCHIVE_INGEST_SECONDS` without reading a page (a long PDF that keeps
reading pages may take up to `ARCHIVE_INGEST_OCR_SECONDS` in all), or, once it says it is reading
a scan by OCR, after `ARCHIVE_INGEST_OCR_SECONDS_PER_PAGE` a page (at most
`ARCHIVE_INGEST_OCR_SECONDS`).
"""

import contextlib
import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from archive.ingest.draft import Draft, ExtractionError
from archive.ingest.progress import ENV, parse_progress

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


def _cpu_seconds(fmt, limits):
    return limits.seconds + (limits.ocr_seconds if fmt == "pdf" else 0)


class _TimeUp(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _run_child(args, data, *, limits, cpu_seconds, filename, on_progress=None, on_wait=None):
    """(returncode, stdout bytes, stderr text) of the child; _TimeUp when it ran too long."""
    env = {**os.environ, ENV: "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "archive.ingest.worker", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=env,
        start_new_session=True,  # its own process group: stopping it stops its tesseract too
        preexec_fn=_limit(limits.memory_bytes, cpu_seconds),
    )
    out, err_lines = [], []
    started = time.monotonic()
    clock = {
        "deadline": started + limits.seconds,
        "message": f"Reading {filename} took longer than {limits.seconds} s (ARCHIVE_INGEST_SECONDS); "
        "it was stopped.",
        "ocr": False,
    }

    def heard(done, total, stage):
        if stage != "ocr" and done and not clock["ocr"]:
            # A long file that keeps reading pages is not stuck: each page may take up to
            # ARCHIVE_INGEST_SECONDS, the whole file at most ARCHIVE_INGEST_OCR_SECONDS.
            now = time.monotonic()
            clock["deadline"] = min(
                max(clock["deadline"], now + limits.seconds), started + limits.ocr_seconds
            )
            clock["message"] = (
                f"Reading {filename} stopped after {done} of {total} pages: it took longer than "
                f"{limits.seconds} s (ARCHIVE_INGEST_SECONDS) for a page, or longer than "
                f"{limits.ocr_seconds} s (ARCHIVE_INGEST_OCR_SECONDS) in all."
            )
        if stage == "ocr" and not clock["ocr"]:
            clock["ocr"] = True
            seconds = min(limits.ocr_seconds, limits.ocr_seconds_per_page * total + 10)
            clock["deadline"] = time.monotonic() + seconds
            clock["message"] = (
                f"OCR of {filename} ({total} pages) took longer than {seconds} s "
                f"(ARCHIVE_INGEST_OCR_SECONDS_PER_PAGE={limits.ocr_seconds_per_page} a page, "
                f"at most ARCHIVE_INGEST_OCR_SECONDS={limits.ocr_seconds}); it was stopped."
            )
        clock["heard"] = (done, total, stage)  # passed on by the waiting thread, below

    def feed():
        try:
            process.stdin.write(data)
        except (BrokenPipeError, OSError):
            pass
        finally:
            with contextlib.suppress(OSError):
                process.stdin.close()

    def drain_stdout():
        out.append(process.stdout.read())

    def drain_stderr():
        for raw in process.stderr:
            line = raw.decode("utf-8", errors="replace").rstrip("\n")
            progress = parse_progress(line)
            if progress is None:
                err_lines.append(line)
            else:
                heard(*progress)

    threads = [threading.Thread(target=target, daemon=True) for target in (feed, drain_stdout, drain_stderr)]
    for thread in threads:
        thread.start()
    try:
        while process.poll() is None:
            # Callbacks run here, in the caller's thread (they may write to the database).
            latest, clock["heard"] = clock.get("heard"), None
            if latest is not None and on_progress is not None:
                on_progress(*latest)
            if on_wait is not None:
                on_wait()
            remaining = clock["deadline"] - time.monotonic()
            if remaining <= 0:
                raise _TimeUp(clock["message"])
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=min(0.25, remaining))
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise
    finally:
        for thread in threads:
            thread.join(timeout=5)
    latest = clock.get("heard")
    if latest is not None and on_progress is not None:  # the last pages, heard as the child ended
        on_progress(*latest)
    return process.returncode, b"".join(out), "\n".join(err_lines)


def extract_in_subprocess(data, *, fmt, filename, limits, on_progress=None, on_wait=None, with_text=False):
    """The draft of `data` (format `fmt`), extracted in a limited child process. `on_progress` and
    `on_wait` (called about every quarter second) run in the caller's thread.

    With `with_text`, returns (draft, original_text): the text of a non-PDF original as read,
    for the check screen (archive.ingest.preview)."""
    mb = limits.memory_bytes // (1024 * 1024)
    seconds = _cpu_seconds(fmt, limits)
    try:
        returncode, stdout, stderr = _run_child(
            ["extract", fmt, filename],
            data,
            limits=limits,
            cpu_seconds=seconds,
            filename=filename,
            on_progress=on_progress,
            on_wait=on_wait,
        )
    except _TimeUp as error:
        raise ExtractionError(error.message) from error
    out = stdout.decode("utf-8", errors="replace").strip()
    if returncode == 0 and out:
        payload = json.loads(out)
        if "error" in payload:
            raise ExtractionError(payload["error"])
        draft = Draft.from_dict(payload["draft"])
        return (draft, payload.get("original_text", "")) if with_text else draft
    if (
        returncode in {3, -6, -9}
        or any(sign in stderr for sign in _OUT_OF_MEMORY)
        or "memory" in stderr.lower()
    ):
        raise ExtractionError(
            f"Reading {filename} needed more than {mb} MB of memory (ARCHIVE_INGEST_MEMORY_BYTES) and was "
            "stopped: the file is probably a decompression bomb."
        )
    if returncode in {-24, 152}:  # SIGXCPU
        raise ExtractionError(f"Reading {filename} used more than {seconds} s of CPU; it was stopped.")
    last = stderr.strip().splitlines()[-1] if stderr.strip() else f"exit status {returncode}"
    raise ExtractionError(f"Reading {filename} failed ({last}).")


def render_page_in_subprocess(data, *, filename, number, width, limits):
    """Page `number` of a PDF as PNG bytes, rendered in a limited child process."""
    try:
        returncode, stdout, stderr = _run_child(
            ["page", filename, str(number), str(width)],
            data,
            limits=limits,
            cpu_seconds=limits.seconds,
            filename=filename,
        )
    except _TimeUp as error:
        raise ExtractionError(f"Rendering page {number} of {filename} took too long.") from error
    if returncode == 0 and stdout.startswith(b"\x89PNG"):
        return stdout
    message = stderr.strip().splitlines()[-1] if stderr.strip() else f"exit status {returncode}"
    raise ExtractionError(message.removeprefix("error ").strip())
