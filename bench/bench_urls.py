"""The platform's URLs plus ``/bench/bare/``: a bare Django JSON view behind the same middleware
stack (sessions, CSRF, authentication, session generation …), the baseline for the submit endpoint."""

from bench_patches import apply
from django.http import JsonResponse
from django.urls import include, path

from govhall.core.permissions import PUBLIC, declare

apply()  # GOVHALL_BENCH_VARIANT: a candidate change to src/ under measurement (bench_patches.py)


def bare(request):
    return JsonResponse({"ok": True, "user": request.user.pk})


urlpatterns = [
    path("bench/bare/", declare(PUBLIC, bare)),
    path("", include("govhall.urls")),
]
