from django.urls import path, re_path

from govhall.core.permissions import PUBLIC, declare

from .permissions import permitted_urls
from .v1 import api as api_v1
from .views import not_found

app_name = "api"
urlpatterns = [
    path("v1/", permitted_urls(api_v1)),
    # Anything else under /api/ answers with the structured 404, not the HTML page.
    re_path(r"^.*$", declare(PUBLIC, not_found), name="not_found"),
]
