"""Signals the domain sends when it changes articles in bulk.

`post_save` and `m2m_changed` do not fire for `QuerySet.update()` or for merges, so the write
functions in `services.py` announce which articles changed. Whoever keeps a copy of articles
(the search index) listens here; the domain never knows who that is. The signal is sent inside
the writer's transaction: a listener's own writes commit or roll back with the change.
"""

from django.dispatch import Signal

# Sent with `article_ids`: a set of primary keys whose content or visibility changed.
articles_changed = Signal()
