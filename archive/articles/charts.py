"""Small server-rendered charts: a bar chart of pieces per year as inline SVG.

No chart library, no script, no inline style: the markup carries classes that
`static/css/archive.css` colours for light and dark schemes. Every bar is labelled with its value
(readable without colour), the SVG has `role="img"` with a `<title>` and `<desc>`, and a table
follows it as the text alternative. When bars link somewhere (the search page makes each year a
filter), the SVG becomes a labelled group of links instead of one image (an image cannot hold
controls), each link named "2019, 3 pieces" and focusable; the table repeats the links.

Words and digits are the interface's (archive.articles.i18n); in a right-to-left interface the
years run from right to left, as the page reads.
"""

import itertools
from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from archive.articles.i18n import current_language, is_rtl, local_digits

# Geometry in CSS pixels; the SVG is drawn at its natural size and never scaled up.
SLOT = 38  # width given to one bar and its gap
BAR = 26
PLOT_HEIGHT = 96
TOP = 20  # room for the value label above the tallest bar
BOTTOM = 22  # room for the year label
MAX_FILLED_SPAN = 60  # gaps between years are drawn as zero bars up to this many years
SCROLL_AFTER = 8  # wider than this many bars: the chart scrolls inside its own box on a phone

_ids = itertools.count(1)


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    url: str | None = None
    current: bool = False


def year_bars(rows, *, current=None):
    """Bars for [(year, count, url_or_None), ...], in year order, with empty years between filled in
    (as zero bars without links) so the chart reads as a time line."""
    counts = {int(year): (int(count), url) for year, count, url in rows}
    if not counts:
        return []
    first, last = min(counts), max(counts)
    years = range(first, last + 1) if last - first < MAX_FILLED_SPAN else sorted(counts)
    return [
        Bar(
            label=str(year),
            value=counts.get(year, (0, None))[0],
            url=counts.get(year, (0, None))[1],
            current=current is not None and int(current) == year,
        )
        for year in years
    ]


def _plural(value):
    """ "3 pieces", in the interface's words and digits."""
    return ngettext("%(n)s piece", "%(n)s pieces", value) % {"n": local_digits(value)}


def bar_chart(bars, *, title, description="", table_caption=None, chart_id=None):
    """Inline SVG bar chart plus its text alternative, as safe HTML. Empty string for no bars."""
    bars = list(bars)
    if not bars:
        return mark_safe("")
    chart_id = chart_id or f"chart-{next(_ids)}"
    peak = max(bar.value for bar in bars) or 1
    total = sum(bar.value for bar in bars)
    width = SLOT * len(bars)
    height = TOP + PLOT_HEIGHT + BOTTOM
    baseline = TOP + PLOT_HEIGHT
    if not description:
        busiest = max(bars, key=lambda bar: bar.value)
        description = _("%(total)s from %(first)s to %(last)s; the most, %(most)s, in %(busiest)s.") % {
            "total": _plural(total),
            "first": local_digits(bars[0].label),
            "last": local_digits(bars[-1].label),
            "most": local_digits(busiest.value),
            "busiest": local_digits(busiest.label),
        }
    rtl = is_rtl()
    language = current_language()

    # Plain f-strings with escaped text, not format_html per element: a chart of 30 years is
    # 150 elements, drawn on every author, keyword and search page.
    hidden = ' aria-hidden="true"'
    marks = []
    for place, bar in enumerate(bars):
        index = len(bars) - 1 - place if rtl else place
        x = index * SLOT + (SLOT - BAR) // 2
        bar_height = round(PLOT_HEIGHT * bar.value / peak)
        if bar.value and bar_height < 2:
            bar_height = 2
        classes = "chart__bar" + (" chart__bar--current" if bar.current else "")
        rect = (
            f'<rect class="{classes}" x="{x}" y="{baseline - bar_height}" width="{BAR}" '
            f'height="{bar_height}"></rect>'
        )
        if bar.url:
            # The link is the whole column (easy to hit), named in words; the numbers drawn over
            # it let clicks through and are hidden from screen readers, which hear the name.
            name = escape(f"{local_digits(bar.label)}{_(', ')}{_plural(bar.value)}")
            rect = (
                f'<a class="chart__link" href="{escape(bar.url)}" aria-label="{name}">'
                f'<rect class="chart__hit" x="{index * SLOT}" y="0" width="{SLOT}" height="{height}"></rect>'
                f"{rect}</a>"
            )
        value_class = "chart__value" if bar.value else "chart__value chart__value--zero"
        aria = hidden if bar.url else ""
        marks.append(
            f'<g class="chart__column">{rect}'
            f'<text class="chart__label" x="{x + BAR // 2}" y="{height - 6}" text-anchor="middle"{aria}>'
            f"{escape(local_digits(bar.label))}</text>"
            f'<text class="{value_class}" x="{x + BAR // 2}" y="{baseline - bar_height - 5}" '
            f'text-anchor="middle"{aria}>{local_digits(int(bar.value))}</text></g>'
        )

    linked = any(bar.url for bar in bars)
    svg = format_html(
        '<svg class="chart__svg" role="{role}" aria-labelledby="{id}-title" aria-describedby="{id}-desc" '
        'width="{w}" height="{h}" '
        'viewBox="0 0 {w} {h}" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        '<line class="chart__axis" x1="0" y1="{base}" x2="{w}" y2="{base}"></line>{marks}</svg>',
        role="group" if linked else "img",
        id=chart_id,
        w=width,
        h=height,
        title=title,
        desc=description,
        base=baseline,
        marks=mark_safe("".join(marks)),  # every piece of text in it is escaped above
    )
    if len(bars) > SCROLL_AFTER and not linked:
        # Wide charts scroll inside their own box, never the page; the box is focusable so a
        # keyboard can scroll it too (a linked chart's links already are).
        svg = format_html(
            '<div class="chart__scroll" tabindex="0" role="group" aria-label="{}">{}</div>',
            _("%(title)s (scrolls sideways)") % {"title": title},
            svg,
        )
    else:
        svg = format_html('<div class="chart__scroll">{}</div>', svg)

    rows = []
    for bar in bars:
        if not (bar.value or bar.url):
            continue
        current = ' class="chart__row--current"' if bar.current else ""
        label = escape(local_digits(bar.label))
        if bar.url:
            label = f'<a href="{escape(bar.url)}">{label}</a>'
        rows.append(f'<tr{current}><th scope="row">{label}</th><td>{local_digits(int(bar.value))}</td></tr>')
    rows = mark_safe("".join(rows))  # every piece of text in it is escaped above
    table = format_html(
        '<details class="chart__data"><summary>{summary}</summary>'
        '<table><caption class="visually-hidden">{caption}</caption>'
        '<thead><tr><th scope="col">{year}</th><th scope="col">{unit}</th></tr></thead>'
        "<tbody>{rows}</tbody></table></details>",
        summary=_("Show the numbers as a table"),
        caption=table_caption or title,
        year=_("Year"),
        unit=_("Pieces"),
        rows=rows,
    )
    return format_html(
        '<figure class="chart" dir="{dir}" lang="{lang}">'
        '<figcaption class="chart__caption">{title}</figcaption>{svg}{table}</figure>',
        dir="rtl" if rtl else "ltr",
        lang=language,
        title=title,
        svg=svg,
        table=table,
    )


def _row(row):
    if isinstance(row, dict):
        return (row.get("year", row.get("value")), row["count"], row.get("url"))
    return tuple(row) + (None,) * (3 - len(row))


PIECES_PER_YEAR = gettext_lazy("Pieces per year")


def year_chart(rows, *, title=PIECES_PER_YEAR, current=None, **options) -> SafeString:
    """The pieces-per-year chart. rows: (year, count[, url]) tuples, or dicts with `year` (or
    `value`), `count` and optionally `url`."""
    return bar_chart(year_bars([_row(row) for row in rows], current=current), title=title, **options)
