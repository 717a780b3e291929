"""`{% year_chart rows title="..." %}`: the pieces-per-year chart from archive.articles.charts."""

from django import template
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext_lazy

from archive.articles import charts

register = template.Library()
MATCHING_PER_YEAR = gettext_lazy("Matching pieces per year")


@register.simple_tag
def year_chart(rows, title=charts.PIECES_PER_YEAR, chart_id=None, current=None):
    """rows: [(year, count, url_or_None), ...] or (year, count) pairs."""
    return charts.year_chart(rows, title=title, chart_id=chart_id, current=current)


@register.simple_tag
def archive_year_chart(years):
    """The by-date page's chart: years (dicts with `year` and `count`), each bar linking to its year."""
    rows = [(year["year"], year["count"], reverse("archive:year", args=[year["year"]])) for year in years]
    return charts.year_chart(rows, title=charts.PIECES_PER_YEAR, chart_id="archive-years")


@register.simple_tag(takes_context=True)
def facet_year_chart(context, items, title=MATCHING_PER_YEAR, param="year"):
    """A histogram of a year facet ([{value, count, selected}]) whose bars filter by year: each
    links to the current query string with `param` set to that year (back on page 1); the
    selected year's bar links to the same query without the year, so a second click undoes it."""
    request = context.get("request")
    query = request.GET.copy() if request is not None else QueryDict(mutable=True)
    query.pop("page", None)
    rows, current = [], None
    for item in items:
        linked = query.copy()
        if item.get("selected"):
            current = item["value"]
            linked.pop(param, None)
        else:
            linked[param] = str(item["value"])
        rows.append((item["value"], item["count"], "?" + linked.urlencode()))
    return charts.year_chart(rows, title=title, chart_id="search-years", current=current)
