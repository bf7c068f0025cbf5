import datetime as dt

from django.utils import timezone
from django_tasks import task

from govhall.core.scheduler import periodic


@task()
def refresh_search_index() -> int:
    """Bring the search index in line with versions that take effect or retire today, and drop old
    rows of the search change log (processes further behind reload their whole index)."""
    from .search import prune_changes
    from .services import search_refresh_for

    count = search_refresh_for(timezone.localdate())
    prune_changes()
    return count


@periodic("catalog.search.refresh", every=dt.timedelta(hours=1))
def schedule_search_refresh():
    return refresh_search_index.enqueue()
