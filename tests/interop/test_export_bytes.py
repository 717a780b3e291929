"""The exact bytes of the citation exports of a search and of one piece (BibTeX, RIS, CSL-JSON):
whatever makes them cheaper must not change a byte. The pieces cover every branch of the
formats: a subtitle, names with a comma, one word and none, LaTeX specials, page ranges with an
en dash, DOI, titles and abstracts in other languages, and pieces a search must leave out."""

import datetime

import pytest
from django.utils import timezone

from archive.articles.services import article_set_translations

pytestmark = pytest.mark.django_db


@pytest.fixture
def varied_pieces(make_article, search_index):
    paper = make_article(
        "Russia & Iraq: 5% $ #1 {deal}",
        subtitle="a_b ~ ^ \\ c",
        authors=[("Asadi, Ali Akbar", "University of Tehran"), "Maryam Karimi", "Plato"],
        keywords=["Russia", "Oil & Gas"],
        date=datetime.date(2012, 10, 25),
        kind="paper",
        language="en",
        abstract="Russia   and Iraq\nhave new motivations.",
        source_name="Journal of Middle East Studies",
        source_volume="3",
        source_issue="2",
        source_pages="10 \u2013 20",
        doi="10.1234/jmes.2012.3",
        source_url="https://example.org/iraq-russia",
    )
    article_set_translations(
        article=paper,
        translations=[
            {"language": "fa", "title": "روسیه و عراق", "abstract": "چکیده کوتاه."},
            {"language": "ar", "title": "روسيا والعراق"},
        ],
    )
    report = make_article(
        "Russia's energy report",
        keywords=["Russia"],
        date=datetime.date(2014, 6, 30),
        kind="report",
        language="en",
        source_name="Think Tank Press",
        source_pages="7",
    )
    persian = make_article(
        "روسیه در خاورمیانه",
        authors=["علی اکبر اسدی"],
        keywords=["Russia", "خاورمیانه"],
        date=datetime.date(2016, 3, 2),
        kind="commentary",
        language="fa",
        abstract="نگاهی به Russia.",
    )
    article_set_translations(
        article=persian, translations=[{"language": "en", "title": "Russia in the Middle East"}]
    )
    make_article("Russia draft", keywords=["Russia"], status="draft")
    make_article("Russia later", keywords=["Russia"], date=timezone.localdate() + datetime.timedelta(days=9))
    search_index.update()
    return {"paper": paper, "report": report, "persian": persian}


def expected(template, pieces, line_end):
    """The bytes of `template` with each `<name>` the id of that piece (and `<ndash>` an en dash),
    lines ending in `line_end`."""
    for name, piece in pieces.items():
        template = template.replace(f"<{name}>", str(piece.pk))
    return template.replace("<ndash>", "\u2013").replace("\n", line_end).encode()


SEARCH_BIBTEX = r"""@article{asadi2012-<paper>,
  title = {Russia \& Iraq: 5\% \$ \#1 \{deal\}: a\_b \textasciitilde{} \textasciicircum{} \textbackslash{} c},
  author = {{Asadi}, Ali Akbar and {Karimi}, Maryam and {Plato}},
  year = {2012},
  month = {10},
  date = {2012-10-25},
  journal = {Journal of Middle East Studies},
  volume = {3},
  number = {2},
  pages = {10--20},
  doi = {10.1234/jmes.2012.3},
  url = {http://testserver/articles/russia-iraq-5-1-deal/},
  abstract = {Russia and Iraq have new motivations.},
  keywords = {Oil \& Gas, Russia},
  language = {en},
  title_ar = {روسيا والعراق},
  title_fa = {روسیه و عراق},
  abstract_fa = {چکیده کوتاه.},
}

@misc{russias2014-<report>,
  title = {Russia's energy report},
  year = {2014},
  month = {6},
  date = {2014-06-30},
  publisher = {Think Tank Press},
  pages = {7},
  url = {http://testserver/articles/russias-energy-report/},
  keywords = {Russia},
  language = {en},
}

@misc{article2016-<persian>,
  title = {روسیه در خاورمیانه},
  author = {{اسدی}, علی اکبر},
  year = {2016},
  month = {3},
  date = {2016-03-02},
  publisher = {The Archive},
  url = {http://testserver/articles/\%D8\%B1\%D9\%88\%D8\%B3\%DB\%8C\%D9\%87-\%D8\%AF\%D8\%B1-\%D8\%AE\%D8\%A7\%D9\%88\%D8\%B1\%D9\%85\%DB\%8C\%D8\%A7\%D9\%86\%D9\%87/},
  abstract = {نگاهی به Russia.},
  keywords = {Russia, خاورمیانه},
  language = {fa},
  title_en = {Russia in the Middle East},
}
"""

ONE_BIBTEX = r"""@article{asadi2012-<paper>,
  title = {Russia \& Iraq: 5\% \$ \#1 \{deal\}: a\_b \textasciitilde{} \textasciicircum{} \textbackslash{} c},
  author = {{Asadi}, Ali Akbar and {Karimi}, Maryam and {Plato}},
  year = {2012},
  month = {10},
  date = {2012-10-25},
  journal = {Journal of Middle East Studies},
  volume = {3},
  number = {2},
  pages = {10--20},
  doi = {10.1234/jmes.2012.3},
  url = {http://testserver/articles/russia-iraq-5-1-deal/},
  abstract = {Russia and Iraq have new motivations.},
  keywords = {Oil \& Gas, Russia},
  language = {en},
  title_ar = {روسيا والعراق},
  title_fa = {روسیه و عراق},
  abstract_fa = {چکیده کوتاه.},
}
"""

SEARCH_RIS = r"""TY  - JOUR
TI  - Russia & Iraq: 5% $ #1 {deal}
ST  - a_b ~ ^ \ c
AU  - Asadi, Ali Akbar
AU  - Karimi, Maryam
AU  - Plato
PY  - 2012
DA  - 2012/10/25
T2  - Journal of Middle East Studies
VL  - 3
IS  - 2
SP  - 10
EP  - 20
DO  - 10.1234/jmes.2012.3
UR  - http://testserver/articles/russia-iraq-5-1-deal/
AB  - Russia and Iraq have new motivations.
KW  - Oil & Gas
KW  - Russia
LA  - en
TT  - روسيا والعراق
N1  - Title (ar): روسيا والعراق
N1  - Title (fa): روسیه و عراق
N1  - Abstract (fa): چکیده کوتاه.
ER  -

TY  - RPRT
TI  - Russia's energy report
PY  - 2014
DA  - 2014/06/30
T2  - Think Tank Press
SP  - 7
UR  - http://testserver/articles/russias-energy-report/
KW  - Russia
LA  - en
ER  -

TY  - ELEC
TI  - روسیه در خاورمیانه
AU  - اسدی, علی اکبر
PY  - 2016
DA  - 2016/03/02
PB  - The Archive
UR  - http://testserver/articles/%D8%B1%D9%88%D8%B3%DB%8C%D9%87-%D8%AF%D8%B1-%D8%AE%D8%A7%D9%88%D8%B1%D9%85%DB%8C%D8%A7%D9%86%D9%87/
AB  - نگاهی به Russia.
KW  - Russia
KW  - خاورمیانه
LA  - fa
TT  - Russia in the Middle East
N1  - Title (en): Russia in the Middle East
ER  -
"""

ONE_RIS = r"""TY  - JOUR
TI  - Russia & Iraq: 5% $ #1 {deal}
ST  - a_b ~ ^ \ c
AU  - Asadi, Ali Akbar
AU  - Karimi, Maryam
AU  - Plato
PY  - 2012
DA  - 2012/10/25
T2  - Journal of Middle East Studies
VL  - 3
IS  - 2
SP  - 10
EP  - 20
DO  - 10.1234/jmes.2012.3
UR  - http://testserver/articles/russia-iraq-5-1-deal/
AB  - Russia and Iraq have new motivations.
KW  - Oil & Gas
KW  - Russia
LA  - en
TT  - روسيا والعراق
N1  - Title (ar): روسيا والعراق
N1  - Title (fa): روسیه و عراق
N1  - Abstract (fa): چکیده کوتاه.
ER  -
"""

SEARCH_CSL_JSON = r"""[
  {
    "id": "asadi2012-<paper>",
    "type": "article-journal",
    "title": "Russia & Iraq: 5% $ #1 {deal}: a_b ~ ^ \\ c",
    "author": [
      {
        "family": "Asadi",
        "given": "Ali Akbar"
      },
      {
        "family": "Karimi",
        "given": "Maryam"
      },
      {
        "literal": "Plato"
      }
    ],
    "issued": {
      "date-parts": [
        [
          2012,
          10,
          25
        ]
      ]
    },
    "URL": "http://testserver/articles/russia-iraq-5-1-deal/",
    "language": "en",
    "container-title": "Journal of Middle East Studies",
    "volume": "3",
    "issue": "2",
    "page": "10 <ndash> 20",
    "DOI": "10.1234/jmes.2012.3",
    "abstract": "Russia   and Iraq\nhave new motivations.",
    "keyword": "Oil & Gas, Russia",
    "multi": {
      "main": {
        "title": "en"
      },
      "_keys": {
        "title": {
          "ar": "روسيا والعراق",
          "fa": "روسیه و عراق"
        },
        "abstract": {
          "fa": "چکیده کوتاه."
        }
      }
    }
  },
  {
    "id": "russias2014-<report>",
    "type": "report",
    "title": "Russia's energy report",
    "author": [],
    "issued": {
      "date-parts": [
        [
          2014,
          6,
          30
        ]
      ]
    },
    "URL": "http://testserver/articles/russias-energy-report/",
    "language": "en",
    "container-title": "Think Tank Press",
    "page": "7",
    "keyword": "Russia"
  },
  {
    "id": "article2016-<persian>",
    "type": "article",
    "title": "روسیه در خاورمیانه",
    "author": [
      {
        "family": "اسدی",
        "given": "علی اکبر"
      }
    ],
    "issued": {
      "date-parts": [
        [
          2016,
          3,
          2
        ]
      ]
    },
    "URL": "http://testserver/articles/%D8%B1%D9%88%D8%B3%DB%8C%D9%87-%D8%AF%D8%B1-%D8%AE%D8%A7%D9%88%D8%B1%D9%85%DB%8C%D8%A7%D9%86%D9%87/",
    "language": "fa",
    "publisher": "The Archive",
    "abstract": "نگاهی به Russia.",
    "keyword": "Russia, خاورمیانه",
    "multi": {
      "main": {
        "title": "fa"
      },
      "_keys": {
        "title": {
          "en": "Russia in the Middle East"
        }
      }
    }
  }
]"""

ONE_CSL_JSON = r"""[
  {
    "id": "asadi2012-<paper>",
    "type": "article-journal",
    "title": "Russia & Iraq: 5% $ #1 {deal}: a_b ~ ^ \\ c",
    "author": [
      {
        "family": "Asadi",
        "given": "Ali Akbar"
      },
      {
        "family": "Karimi",
        "given": "Maryam"
      },
      {
        "literal": "Plato"
      }
    ],
    "issued": {
      "date-parts": [
        [
          2012,
          10,
          25
        ]
      ]
    },
    "URL": "http://testserver/articles/russia-iraq-5-1-deal/",
    "language": "en",
    "container-title": "Journal of Middle East Studies",
    "volume": "3",
    "issue": "2",
    "page": "10 <ndash> 20",
    "DOI": "10.1234/jmes.2012.3",
    "abstract": "Russia   and Iraq\nhave new motivations.",
    "keyword": "Oil & Gas, Russia",
    "multi": {
      "main": {
        "title": "en"
      },
      "_keys": {
        "title": {
          "ar": "روسيا والعراق",
          "fa": "روسیه و عراق"
        },
        "abstract": {
          "fa": "چکیده کوتاه."
        }
      }
    }
  }
]"""


SEARCH = {"q": "Russia", "sort": "oldest"}


@pytest.mark.parametrize(
    ("fmt", "search", "one"),
    [
        ("bibtex", SEARCH_BIBTEX, ONE_BIBTEX),
        ("ris", SEARCH_RIS, ONE_RIS),  # lines end in CRLF
        ("csl-json", SEARCH_CSL_JSON, ONE_CSL_JSON),
    ],
)
def test_exports_keep_their_exact_bytes(client, varied_pieces, fmt, search, one):
    line_end = "\r\n" if fmt == "ris" else "\n"
    found = client.get(f"/export/search/{fmt}/", SEARCH)
    assert found.content == expected(search, varied_pieces, line_end)
    single = client.get(f"/export/articles/{varied_pieces['paper'].slug}/{fmt}/")
    assert single.content == expected(one, varied_pieces, line_end)


ODD_SLUGS = [
    "plain-slug",
    "روسیه-و-عراق",
    "a:b@c",
    "it's(1)+2,3;=$&!*~",
    "100%25",
    "a b",
    "q?x#y",
    ".",
    "..",
    "x.y",
]


@pytest.mark.parametrize("language", ["en", "fa"])
def test_article_paths_are_what_reverse_gives(language):
    from django.urls import reverse
    from django.utils import translation

    from archive.interop.queries import article_path_maker

    with translation.override(language):
        path_of = article_path_maker()
        for slug in ODD_SLUGS:
            assert path_of(slug) == reverse("articles:detail", kwargs={"slug": slug})


def test_absolute_urls_are_what_build_absolute_uri_gives(rf, settings):
    settings.ALLOWED_HOSTS = ["localhost"]
    from django.urls import reverse

    from archive.interop.views import absolute_url_maker

    request = rf.get("/export/search/ris/", HTTP_HOST="localhost:8080")
    absolute_url = absolute_url_maker(request)
    paths = [reverse("articles:detail", kwargs={"slug": slug}) for slug in ODD_SLUGS]
    paths += ["/", "//evil.example/x", "/a/./b", "/a/../b", "/a?b=1", "/a#b", "/a b", "/é", "relative"]
    for path in paths:
        assert absolute_url(path) == request.build_absolute_uri(path)


def test_a_search_export_costs_the_same_queries_for_more_pieces(
    client, make_article, search_index, django_assert_max_num_queries
):
    for n in range(3):
        make_article(f"Russia {n}", authors=[f"Author {n}", "Shared"], keywords=[f"k{n}"])
    search_index.update()
    with django_assert_max_num_queries(10) as small:
        client.get("/export/search/ris/", SEARCH)
    for n in range(3, 25):
        make_article(f"Russia {n}", authors=[f"Author {n}", "Shared"], keywords=[f"k{n}"])
    search_index.update()
    with django_assert_max_num_queries(len(small.captured_queries)):
        body = client.get("/export/search/ris/", SEARCH).content.decode()
    assert body.count("ER  -") == 25
