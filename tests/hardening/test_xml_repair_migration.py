"""Migration articles 0004 repairs text stored before the archive cleaned it (issue 15.3), in real
processes against a scratch database and a real index: forbidden characters removed, a slug kept
unique, a keyword that becomes another's twin merged into it, the changed articles given a new
`updated_at` and queued for the index, which takes them right after `migrate`."""

import json

import pytest

from tests.hardening.scratch import WORKER


def legacy(site, action):
    return json.loads(site.manage("-m", WORKER, "legacy", action).stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_migration_repairs_stored_text_and_the_index_follows(scratch_site):
    scratch_site.manage("migrate", "articles", "0004", "--noinput")
    made = legacy(scratch_site, "make")
    # No index is built at 0004: today's indexing reads tables later migrations add.

    migrated = scratch_site.manage("migrate", "--noinput")
    assert "Traceback" not in migrated.stderr

    rows = legacy(scratch_site, "show")
    articles = {row[0]: row for row in rows["articles"]}
    dirty, twin, draft = articles[made["dirty"]], articles[made["twin"]], articles[made["draft"]]
    # pk, title, slug, abstract, body, source, year of updated_at, keywords
    assert dirty[1:6] == ["Oil prices", "oil-prices-2", "Abs\ntract", "<p>Body</p>", "Journal"]
    # Only what changed is touched: the twin already had "KW", nothing it shows changed.
    assert (dirty[6] > 2020, twin[6]) == (True, 2020)
    assert dirty[7] == twin[7] == ["KW"]
    assert twin[1:3] == ["Oil prices", "oil-prices"]
    assert draft[1] == "Draft title"
    assert rows["authors"] == [
        ["Nadia Kerman", "author-dirty", "University"],
        ["Author twin", "author-twin", ""],
    ]
    assert rows["keywords"] == [["KW", "kw"]]  # "k\x02w" became "kw": the same keyword as "KW"

    # The migration queued exactly the article it changed, and the index took it (once the
    # tables it reads were there): the unchanged twin is not in the index yet.
    after = scratch_site.index_report()
    assert {key: after[key] for key in ("missing", "stale", "orphaned")} == {
        "missing": [made["twin"]],
        "stale": [],
        "orphaned": [],
    }
    assert (after["database"], after["index"]) == (2, 1)
    assert scratch_site.dump()["queued"] == 0
    scratch_site.manage("check_index", "--repair")
    repaired = scratch_site.index_report()
    assert (repaired["database"], repaired["index"], repaired["missing"]) == (2, 2, [])
