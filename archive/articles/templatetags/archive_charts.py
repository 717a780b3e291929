"""`{% year_chart rows title="..." %}`: the pieces-per-year chart from archive.articles.charts."""

from django import template
from django.urls import reverse

from archive.articles import charts

register = template.Library()


@register.simple_tag
def year_chart(rows, title="Pieces per year", chart_id=None, current=None):
    """rows: [(year, count, url_or_None), ...] or (year, count) pairs."""
    return charts.year_chart(rows, title=title, chart_id=chart_id, current=current)


@register.simple_tag
def archive_year_chart(years):
    """The by-date page's chart: years (dicts with `year` and `count`), each bar linking to its year."""
    rows = [(year["year"], year["count"], reverse("archive:year", args=[year["year"]])) for year in years]
    return charts.year_chart(rows, title="Pieces per year", chart_id="archive-years")
