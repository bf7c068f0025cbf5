"""Console pages for registering platforms (clients): list, register, detail (secret shown once)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from govhall.core.errors import DomainError
from govhall.core.permissions import requires

from . import selectors, services
from .forms import ClientForm
from .permissions import CLIENT_MANAGE

SECRET_SESSION_KEY = "oidc_new_client_secret"


@requires(CLIENT_MANAGE)
def client_list(request):
    return render(request, "oidc/client_list.html", {"clients": selectors.clients_for(request.user)})


@requires(CLIENT_MANAGE)
def client_new(request):
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            client, secret = services.client_register(
                actor=request.user, name=data["name"], kind=data["kind"], redirect_uris=data["redirect_uris"],
                grant_types=data["grant_types"], scope=data["scope"])
        except DomainError as exc:
            for problem in exc.problems:
                field = problem.field if problem.field in form.fields else None
                form.add_error(field, problem.message_zh if request.LANGUAGE_CODE != "en" else problem.message_en)
        else:
            if secret:
                request.session[SECRET_SESSION_KEY] = {"client_id": client.client_id, "secret": secret}
            return redirect("oidc:client_detail", client_id=client.client_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "oidc/client_new.html", {"form": form}, status=status)


@requires(CLIENT_MANAGE)
def client_detail(request, client_id: str):
    client = selectors.access_client(request.user, client_id)
    if client is None:
        raise Http404(_("No such client"))
    pending = request.session.get(SECRET_SESSION_KEY)
    secret = None
    if pending and pending.get("client_id") == client.client_id:
        secret = request.session.pop(SECRET_SESSION_KEY)["secret"]  # shown once
    response = render(request, "oidc/client_detail.html", {"client": client, "secret": secret})
    if secret:
        response["Cache-Control"] = "no-store"
    return response
