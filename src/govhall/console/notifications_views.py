"""Console page for staff: deliveries that failed, and sending one again (audited)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govhall.core.errors import DomainError, NotFound
from govhall.core.permissions import requires
from govhall.notifications import selectors, services
from govhall.notifications.permissions import DELIVERY_MANAGE

PER_PAGE = 50


@requires(DELIVERY_MANAGE)
def failed(request):
    page = Paginator(selectors.failed_deliveries(), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "notifications/console/failed.html", {"page_obj": page})


@require_POST
@requires(DELIVERY_MANAGE)
def retry(request, pk: int):
    try:
        delivery = selectors.access_delivery(pk)
    except NotFound as exc:
        raise Http404 from exc
    try:
        services.delivery_retry(actor=request.user, delivery=delivery)
    except DomainError as exc:
        problem = exc.problems[0]
        messages.error(request, problem.message_en if translation.get_language() == "en" else problem.message_zh)
    else:
        messages.success(request, _("The notice to %(address)s is being sent again.")
                         % {"address": delivery.address_masked})
    return redirect("notifications_console:failed")
