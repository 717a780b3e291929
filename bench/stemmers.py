"""Another English stemmer tried on the tune half: round 5 of MED's bar (docs/search-relevance.md).
Bench only: the archive's analysis on main is unchanged (Snowball English, i.e. Porter2).

    .venv/bin/python bench/stemmers.py --work bench/out/relevance/archive@COMMIT --stemmer porter
    .venv/bin/python bench/tune_ranking.py --work bench/out/relevance/archive@COMMIT-porter --refs \\
        --plugin bench.stemmers --grid '{}'      # with ARCHIVE_BENCH_STEMMER=porter

The stemmer changes what is indexed, so each one needs its own index: `--stemmer NAME` copies the
tune work folders that `bench/relevance.py --keep` built (database, media, cache) to
`<work>-<NAME>` and rebuilds each index there (`rebuild_index`) with the stemmer installed.
`install()` (for `bench/tune_ranking.py --plugin`) puts the stemmer named by
`ARCHIVE_BENCH_STEMMER` in the analysis of the searching process, so that queries and the
feedback's openings are stemmed as the index was. Only words written in Latin letters change
stemmer: Persian and Arabic words are analysed exactly as on main.

Stemmers: `snowball` (main's), `porter` (Porter 1980, whoosh.lang.porter, as raw Whoosh's
StemmingAnalyzer uses), `sstem` (Harman 1991's "S" stemmer: plurals only), `none`.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LATIN = re.compile(r"[a-z0-9]+")
COLLECTIONS = ("cisi", "med", "cacm", "judged")


def s_stem(word):
    """Harman's S stemmer: the first rule that applies of -ies -> -y, -es -> -e, -s -> ''."""
    if word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
        return word[:-1]
    if word.endswith("s") and not word.endswith(("us", "ss")):
        return word[:-1]
    return word


def stemmer(name):
    """The stem function `name` gives to Latin words; other words keep main's (Snowball)."""
    from whoosh.lang import stemmer_for_language

    main = stemmer_for_language("en")
    latin = {
        "snowball": main,
        "porter": stemmer_for_language("en_porter"),
        "sstem": s_stem,
        "none": lambda word: word,
    }[name]

    def stem(word):
        return latin(word) if LATIN.fullmatch(word) else main(word)

    return stem


def install():
    """Put ARCHIVE_BENCH_STEMMER's stemmer into archive.search.analysis (its caches emptied)."""
    from archive.search import analysis

    name = os.environ.get("ARCHIVE_BENCH_STEMMER", "snowball")
    analysis._STEM = stemmer(name)
    analysis._forget_word_terms()


def rebuild(folder):
    """In a child whose environment names `folder`'s archive: rebuild its index."""
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    install()
    from django.core.management import call_command

    call_command("rebuild_index", verbosity=0)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", required=True, help="kept tune folders: bench/out/relevance/archive@COMMIT")
    parser.add_argument("--stemmer", required=True, choices=("snowball", "porter", "sstem", "none"))
    parser.add_argument("--collection", action="append", choices=COLLECTIONS)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return rebuild(args.child)
    source = Path(args.work)
    target = Path(f"{source}-{args.stemmer}")
    for name in args.collection or COLLECTIONS:
        folder = target / name
        if folder.exists():
            shutil.rmtree(folder)
        shutil.copytree(source / name, folder, ignore=shutil.ignore_patterns("index"))
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "archive.settings",
            "DATABASE_URL": f"sqlite:///{folder.resolve() / 'db.sqlite3'}",
            "ARCHIVE_INDEX_DIR": str(folder.resolve() / "index"),
            "ARCHIVE_MEDIA_DIR": str(folder.resolve() / "media"),
            "ARCHIVE_CACHE_DIR": str(folder.resolve() / "cache"),
            "ARCHIVE_SEARCH_DRAIN_DELAY": "0",
            "ARCHIVE_BENCH_STEMMER": args.stemmer,
        }
        command = [sys.executable, __file__, "--work", args.work, "--stemmer", args.stemmer, "--child", name]
        subprocess.run(command, cwd=REPO, env=env, check=True)
        print(f"{name}: index rebuilt with {args.stemmer} in {folder}", flush=True)


if __name__ == "__main__":
    main()
