"""The data subject's pages: "who used my data" (数据使用记录) and the confirmation of fetched
materials on the draft application (use it / upload instead / try again)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from govhall.cases.models import Application
from govhall.core.errors import DomainError, NotFound
from govhall.core.permissions import AUTHENTICATED, requires
from govhall.sharing import selectors, services


@requires(AUTHENTICATED)
@require_GET
def data_use(request):
    page = Paginator(selectors.data_use_of(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "sharing/data_use.html", {"page": page, "nav": "data_use"})


def _act(request, public_id, material_id: int, run, done: str):
    application = Application.objects.filter(public_id=public_id).first()
    if application is None:
        raise Http404(str(public_id))
    try:
        run(actor=request.user, application=application, material_id=material_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except DomainError as exc:
        for p in exc.problems:
            messages.error(request, p.message_en if request.LANGUAGE_CODE.startswith("en") else p.message_zh)
    else:
        messages.success(request, done)
    return redirect(reverse("cases:draft", args=[application.public_id]) + f"#material-{material_id}")


@requires(AUTHENTICATED)
@require_POST
def fetch_confirm(request, public_id, material_id: int):
    return _act(request, public_id, material_id, services.fetch_confirm, _("The fetched data will be used."))


@requires(AUTHENTICATED)
@require_POST
def fetch_decline(request, public_id, material_id: int):
    return _act(request, public_id, material_id, services.fetch_decline,
                _("The fetched data will not be used: please upload the material."))


@requires(AUTHENTICATED)
@require_POST
def fetch_retry(request, public_id, material_id: int):
    return _act(request, public_id, material_id, services.fetch_retry, _("Fetched again."))
