"""Several imports and editor saves at once, while searches run, in separate processes against a
real database file (or a scratch PostgreSQL database) and a real index: nothing lost, nothing
doubled, nothing raised, and afterwards the index matches the database exactly."""

import json
import time
from collections import Counter

import pytest

from tests.hardening.scratch import WORKER

ERRORS = ("Traceback", "LockError", "database is locked", "IntegrityError", "deadlock")


def items(prefix, count, *, start=0):
    """Archive JSON items; some authors and keywords are shared with the other files and the editor."""
    return [
        {
            "title": f"{prefix} piece {n}",
            "date": f"2014-{1 + n % 12:02d}-{1 + n % 28:02d}",
            "authors": [
                {"name": f"Shared Author {n % 5}", "affiliation": "Institute"},
                {"name": f"{prefix} Writer {n % 3}"},
            ],
            "keywords": ["Energy", f"{prefix} topic {n % 4}", f"Topic {n % 4}"],
            "abstract": f"About {prefix.lower()} and energy, part {n}.",
            "body": f"<p>{prefix} piece number {n}. " + "Oil and gas in the Gulf. " * 40 + "</p>",
        }
        for n in range(start, start + count)
    ]


def write(path, payload):
    path.write_text(json.dumps(payload))
    return path


@pytest.mark.slow
def test_imports_and_editor_saves_at_once_while_searching(scratch_site, tmp_path):
    alpha, beta, gamma = items("Alpha", 12), items("Beta", 12), items("Gamma", 12)
    files = {
        "alpha": write(tmp_path / "alpha.json", alpha),
        "beta": write(tmp_path / "beta.json", beta),
        "gamma": write(tmp_path / "gamma.json", gamma),
        # Overlapping: half of alpha and half of beta again, imported at the same time as they are.
        "overlap": write(tmp_path / "overlap.json", alpha[6:] + beta[:6]),
    }
    editor_pieces = 9
    stop = tmp_path / "stop"

    started = time.perf_counter()
    searchers = [scratch_site.spawn("-m", WORKER, "search", str(stop)) for _ in range(2)]
    writers = {
        name: scratch_site.spawn("import_articles", str(path), "--json") for name, path in files.items()
    }
    writers["editor"] = scratch_site.spawn("-m", WORKER, "admin", str(editor_pieces))
    outputs = {name: process.communicate(timeout=300) for name, process in writers.items()}
    writing = time.perf_counter() - started
    stop.touch()
    searched = [process.communicate(timeout=60) for process in searchers]

    errors = []
    finished = [(name, writers[name], err) for name, (_, err) in outputs.items()]
    finished += [(f"search {n}", searchers[n], err) for n, (_, err) in enumerate(searched)]
    for name, process, err in finished:
        if process.returncode != 0 or any(marker in err for marker in ERRORS):
            errors.append(f"{name} (exit {process.returncode}): {err[-3000:]}")
    assert errors == []

    reports = {name: json.loads(outputs[name][0]) for name in files}
    statuses = Counter(entry["status"] for report in reports.values() for entry in report)
    failed = [entry for report in reports.values() for entry in report if entry["status"] == "failed"]
    assert failed == []
    # 36 distinct items; the 12 overlapping ones were created once and found duplicate once.
    assert statuses == {"created": 36, "duplicate": 12}

    site = scratch_site.dump()
    titles = Counter(article["title"] for article in site["articles"])
    expected = {item["title"] for item in alpha + beta + gamma} | {
        f"Editor piece {n} revised" for n in range(editor_pieces)
    }
    assert set(titles) == expected
    assert [title for title, count in titles.items() if count != 1] == []
    # Authors and keywords the processes created at the same moment exist once each.
    assert len(site["authors"]) == len(set(site["authors"])) == 5 + 3 * 3
    assert len({k.casefold() for k in site["keywords"]}) == len(site["keywords"]) == 1 + 3 * 4 + 4
    by_title = {article["title"]: article for article in site["articles"]}
    for item in alpha + beta + gamma:
        stored = by_title[item["title"]]
        assert stored["authors"] == [[a["name"], a.get("affiliation", "")] for a in item["authors"]]
        assert stored["keywords"] == sorted(item["keywords"])
    assert all(by_title[f"Editor piece {n} revised"]["status"] == "published" for n in range(editor_pieces))

    report = scratch_site.index_report()
    drift = {key: report[key] for key in ("missing", "stale", "orphaned")}
    assert drift == {"missing": [], "stale": [], "orphaned": []}
    assert report["database"] == report["index"] == len(expected)
    assert site["queued"] == 0

    answers = [json.loads(out.strip().splitlines()[-1]) for out, _ in searched]
    runs = sum(answer["searches"] for answer in answers)
    assert runs > 0
    assert [answer["failed"] for answer in answers] == [0, 0]
    print(
        f"\nconcurrency: {len(writers)} writers ({len(files)} imports, 1 editor), "
        f"{len(expected)} pieces, {runs} searches by {len(searchers)} processes in {writing:.1f} s, "
        f"{sum(a['unavailable'] for a in answers)} searches before the index existed, "
        f"errors {len(errors)}, drift {sum(map(len, drift.values()))}"
    )


@pytest.mark.slow
def test_the_same_files_imported_twice_at_once_store_each_piece_once(scratch_site, tmp_path):
    """Two `import_articles` of the same JSON file and the same folder of text files, started
    together (issue 15): every piece is stored once; one process reports it created, the other
    duplicate (or updated, when it came second to a piece the first was still completing)."""
    folder = tmp_path / "files"
    folder.mkdir()
    for n in range(8):
        body = f"The body of file piece {n}, long enough to be read as the body of a piece. " * 3
        (folder / f"piece-{n}.txt").write_text(
            f"File piece {n} on the Gulf\n\nThursday, October {n + 1}, 2012\n\n"
            f"Shared Author {n % 3}\nInstitute {n % 3}\n\n{body}\n"
        )
    path = write(tmp_path / "same.json", items("Twin", 30))
    runs = [scratch_site.spawn("import_articles", str(path), str(folder), "--json") for _ in range(2)]
    outputs = [process.communicate(timeout=300) for process in runs]
    for process, (_, err) in zip(runs, outputs, strict=True):
        assert process.returncode == 0 and not any(marker in err for marker in ERRORS), err[-3000:]
    reports = [json.loads(out) for out, _ in outputs]
    assert [len(report) for report in reports] == [38, 38]
    by_source = {}
    for report in reports:
        for entry in report:
            by_source.setdefault(entry["source"], []).append(entry["status"])
    assert len(by_source) == 38
    for source, statuses in by_source.items():
        assert sorted(statuses) in (["created", "duplicate"], ["created", "updated"]), (source, statuses)

    site = scratch_site.dump()
    titles = Counter(article["title"] for article in site["articles"])
    assert len(titles) == 38 and set(titles.values()) == {1}
    assert sorted(site["authors"]) == sorted(
        {f"Shared Author {n % 5}" for n in range(30)}
        | {f"Twin Writer {n % 3}" for n in range(30)}
        | {f"Shared Author {n % 3}" for n in range(8)}
    )
    report = scratch_site.index_report()  # pieces from files are drafts: the 30 JSON items are indexed
    assert report["database"] == report["index"] == 30
    assert report["missing"] == report["stale"] == report["orphaned"] == []
