"""The index folder on a full disk and on a read-only mount while an editor saves (issue 15, "go
further"): every save is kept, `check_index` says what is wrong (exit 2) while the index cannot
be written, and the index catches up by itself once space or permission returns: the editor's
process tries its drain again, no command needed.

The folder is a small tmpfs mounted for the test, so this needs root (as CI's container has)."""

import contextlib
import json
import os
import subprocess
import sys
import time
import uuid

import pytest

from tests.hardening.scratch import ROOT, WORKER

SAVES = 6


def _can_mount():
    return os.geteuid() == 0 and bool(_which("mount"))


def _which(name):
    return next((p for p in ("/usr/bin/" + name, "/bin/" + name) if os.path.exists(p)), None)


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not _can_mount(), reason="mounting a small tmpfs needs root"),
]


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.fixture
def site_on_small_disk(scratch_site, small_disk, tmp_path):
    scratch_site.env["ARCHIVE_INDEX_DIR"] = str(small_disk / "index")
    pieces = [
        {"title": f"Imported before {n}", "date": "2016-05-01", "body": "Oil and gas. " * 20}
        for n in range(4)
    ]
    path = tmp_path / "before.json"
    path.write_text(json.dumps(pieces))
    scratch_site.manage("import_articles", str(path))
    return scratch_site


def fill(disk):
    """Fill the disk to the last byte; returns the filler files."""
    fillers = []
    with contextlib.suppress(OSError):
        for n in range(1000):
            filler = disk / f"filler-{n}"
            fillers.append(filler)
            with open(filler, "wb") as handle:
                while True:
                    handle.write(b"\0" * 65536)
    fillers.append(disk / "filler-last")
    with contextlib.suppress(OSError), open(disk / "filler-last", "ab") as handle:  # the last bytes
        for _ in range(65536):
            handle.write(b"\0")
            handle.flush()
    return fillers


def report(site):
    done = site.manage("check_index", "--json", check=False)
    return done.returncode, json.loads(done.stdout or "{}"), done.stderr


def save_while_broken(site, tmp_path):
    """Start an editor's process, let it save SAVES pieces; returns it (still running)."""
    stop = tmp_path / f"stop-{uuid.uuid4().hex[:6]}"
    env = {**site.env, "ARCHIVE_SEARCH_DRAIN_DELAY": "0.15"}
    editor = subprocess.Popen(
        [sys.executable, "-m", WORKER, "edit", str(SAVES), str(stop)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = editor.stdout.readline()
    assert line, editor.stderr.read()
    answer = json.loads(line)
    assert answer["saved"] == SAVES
    # A save waits for its index write (ARCHIVE_SEARCH_SAVE_WAIT, 2 s) only while the write may
    # succeed: the drainer's failed attempt ends the wait.
    assert answer["slowest_save"] < 1.5
    return editor, stop


def caught_up(site, *, within):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        status, body, _ = report(site)
        if status == 0 and body["pending"] == 0 and body["index"] == body["database"] == 4 + SAVES:
            return body
        time.sleep(0.5)
    raise AssertionError(f"the index did not catch up by itself: {report(site)}")


def finish(editor, stop):
    stop.touch()
    _, err = editor.communicate(timeout=60)
    assert editor.returncode == 0, err[-3000:]
    return err


def test_a_full_disk_keeps_every_save_says_so_and_catches_up_when_space_returns(
    site_on_small_disk, small_disk, tmp_path
):
    site = site_on_small_disk
    fillers = fill(small_disk)
    editor, stop = save_while_broken(site, tmp_path)
    try:
        time.sleep(1.5)  # the editor's drainer has tried (and failed) at least once
        status, body, stderr = report(site)
        assert status == 2, (body, stderr)
        assert body["database"] == 4 + SAVES  # every save is kept
        assert body["pending"] >= SAVES  # queued (a save queues its piece once per change it makes)
        assert body["problems"] == [
            f"The index folder {small_disk / 'index'} cannot be written: No space left on device."
        ]
        assert body["index"] == 4  # search still answers from what was written before
        for filler in fillers:
            filler.unlink(missing_ok=True)
        body = caught_up(site, within=30)
        assert body["problems"] == body["damaged"] == []
    finally:
        err = finish(editor, stop)
    assert "search index update failed" in err  # logged, with its reason
    assert "No space left on device" in err


def test_a_read_only_index_folder_keeps_every_save_says_so_and_catches_up_when_writable(
    site_on_small_disk, small_disk, tmp_path
):
    site = site_on_small_disk
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    editor, stop = save_while_broken(site, tmp_path)
    try:
        time.sleep(1.5)
        status, body, stderr = report(site)
        assert status == 2, (body, stderr)
        assert body["database"] == 4 + SAVES
        assert body["pending"] >= SAVES  # queued (a save queues its piece once per change it makes)
        assert body["problems"] == [
            f"The index folder {small_disk / 'index'} cannot be written: Read-only file system."
        ]
        assert body["index"] == 4
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
        body = caught_up(site, within=30)
        assert body["problems"] == body["damaged"] == []
    finally:
        err = finish(editor, stop)
    assert "Read-only file system" in err
