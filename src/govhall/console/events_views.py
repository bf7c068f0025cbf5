"""Console page for platform administrators: domain-event deliveries that failed for good (a
subscriber kept raising, core/events.py), and putting one back after fixing the cause (audited)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govhall.core import events
from govhall.core.errors import DomainError
from govhall.core.models import EventDelivery
from govhall.core.permissions import EVENT_MANAGE, requires

PER_PAGE = 50


@requires(EVENT_MANAGE)
def failed(request):
    deliveries = (EventDelivery.objects.filter(state=EventDelivery.State.FAILED).select_related("event")
                  .order_by("-pk"))
    page = Paginator(deliveries, PER_PAGE).get_page(request.GET.get("page"))
    pending = EventDelivery.objects.filter(state=EventDelivery.State.PENDING).count()
    return render(request, "console/event_deliveries.html", {"page_obj": page, "pending": pending})


@require_POST
@requires(EVENT_MANAGE)
def retry(request, pk: int):
    delivery = EventDelivery.objects.select_related("event").filter(pk=pk).first()
    if delivery is None:
        raise Http404
    try:
        events.delivery_retry(actor=request.user, delivery=delivery)
    except DomainError as exc:
        problem = exc.problems[0]
        messages.error(request, problem.message_en if translation.get_language() == "en" else problem.message_zh)
    else:
        messages.success(request, _("Event %(event)s is handed to %(subscriber)s again.")
                         % {"event": delivery.event.name, "subscriber": delivery.subscriber})
    return redirect("console:event_deliveries_failed")
