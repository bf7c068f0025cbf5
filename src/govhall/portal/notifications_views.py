"""The applicant's inbox (/account/inbox/): thin views over selectors and services."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from govhall.core.errors import NotFound
from govhall.core.permissions import AUTHENTICATED, requires
from govhall.notifications import selectors, services

PER_PAGE = 20


@requires(AUTHENTICATED)
def inbox(request):
    page = Paginator(selectors.inbox_of(request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html",
                  {"page_obj": page, "unread": selectors.unread_count(request.user)})


@requires(AUTHENTICATED)
def message(request, pk: int):
    try:
        found = selectors.access_message(request.user, pk)
    except NotFound as exc:
        raise Http404 from exc
    services.message_mark_read(actor=request.user, message=found)
    return render(request, "notifications/message.html", {"message": found})
