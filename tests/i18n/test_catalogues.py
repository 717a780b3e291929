"""The catalogues under locale/ are complete and compiled: makemessages, run over the code as it
is now, finds no string that Persian or Arabic lacks, no fuzzy guess, and nothing stale; the
committed .mo files (what `make run` serves, without gettext tools) say what the .po files say."""

import re
import shutil
import subprocess

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
LOCALE = settings.BASE_DIR / "locale"
IGNORE = [".venv", "venv", "var", "tests", "bench", "artifacts", "fixtures", "docs", "node_modules", "locale"]


def entries(catalogue):
    """{(context, msgid): what it translates to} of a .po or .mo catalogue."""
    out = {}
    for entry in catalogue:
        if entry.obsolete:
            continue
        plural = tuple(entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural))
        out[(entry.msgctxt, entry.msgid)] = plural if entry.msgid_plural else entry.msgstr
    return out


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    """A copy of locale/, brought up to date by makemessages over the code (as a developer adding
    a string would run it): {language: the regenerated .po}."""
    if not shutil.which("xgettext"):
        pytest.fail("GNU gettext is needed to check the catalogues (Debian: apt-get install gettext)")
    copy = tmp_path_factory.mktemp("catalogues") / "locale"
    shutil.copytree(LOCALE, copy)
    with override_settings(LOCALE_PATHS=[copy]):
        call_command(
            "makemessages",
            locale=LANGUAGES,
            ignore_patterns=IGNORE,
            no_location=True,
            no_obsolete=True,
            verbosity=0,
        )
    return {code: polib.pofile(str(copy / code / "LC_MESSAGES" / "django.po")) for code in LANGUAGES}


@pytest.fixture(autouse=True)
def _from_the_project(monkeypatch):
    monkeypatch.chdir(settings.BASE_DIR)  # makemessages reads the tree below the working folder


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_string_is_translated_and_none_is_fuzzy(regenerated, code):
    catalogue = regenerated[code]
    assert len(catalogue) > 300
    assert [e.msgid for e in catalogue.untranslated_entries()] == []
    assert [e.msgid for e in catalogue.fuzzy_entries()] == []
    # Plural entries fill every form the language has (Persian two, Arabic six).
    forms = int(re.search(r"nplurals=(\d+)", catalogue.metadata["Plural-Forms"]).group(1))
    assert forms == {"fa": 2, "ar": 6}.get(code, forms)
    plurals = [e for e in catalogue if e.msgid_plural]
    assert all(len(e.msgstr_plural) == forms and all(e.msgstr_plural.values()) for e in plurals)


@pytest.mark.parametrize("code", LANGUAGES)
def test_committed_catalogue_is_the_regenerated_one(regenerated, code):
    committed = polib.pofile(str(LOCALE / code / "LC_MESSAGES" / "django.po"))
    assert entries(committed) == entries(regenerated[code])


@pytest.mark.parametrize("code", LANGUAGES)
def test_compiled_catalogue_matches_its_source(code, tmp_path):
    folder = LOCALE / code / "LC_MESSAGES"
    source = entries(polib.pofile(str(folder / "django.po")))
    compiled = entries(polib.mofile(str(folder / "django.mo")))
    assert compiled == source
    # And msgfmt finds nothing wrong with the placeholders (what compilemessages checks).
    result = subprocess.run(
        ["msgfmt", "--check-format", "-o", str(tmp_path / "django.mo"), str(folder / "django.po")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
