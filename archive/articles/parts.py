"""Parts of the reading pages that other apps add, without the domain knowing them.

An app registers its parts in its AppConfig.ready(): a page ("site" for every page, "article",
"author", "keyword"), a slot on it ("head", "footer", "aside", "scripts"), a template, and
optionally a function `data(request, obj)` whose result the template gets as `data`. The view
collects them (`for_page`), calling the data functions itself; the templates only include what
they are given:

    {% for part in parts.footer %}{% include part.template with article=article data=part.data %}{% endfor %}

So the article page shows the original's download link, the citation exports and the related
pieces of apps the domain never imports, and a page without those apps still renders.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Part:
    page: str
    slot: str
    template: str
    data: Callable[[Any, Any], Any] | None = None
    order: int = 0


_PARTS = []


def register(page, slot, template, *, data=None, order=0):
    """Add `template` to `slot` of every `page` page; `order` sorts parts within a slot."""
    part = Part(page, slot, template, data, order)
    if part not in _PARTS:
        _PARTS.append(part)
        _PARTS.sort(key=lambda p: (p.page, p.slot, p.order, p.template))


def for_page(page, *, request, obj=None):
    """{slot: [{"template", "data"}]} of `page`, each part's data worked out now."""
    slots = defaultdict(list)
    for part in _PARTS:
        if part.page == page:
            data = part.data(request, obj) if part.data is not None else None
            slots[part.slot].append({"template": part.template, "data": data})
    return dict(slots)
