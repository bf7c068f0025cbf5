"""Console pages of the data sharing platform, mounted at /console/sharing/."""

from django.urls import path

from govhall.console import sharing_views as views

app_name = "sharing_console"
urlpatterns = [
    path("", views.resources, name="resources"),
    path("resources/new/", views.resource_new, name="resource_new"),
    path("resources/<str:code>/", views.resource, name="resource"),
    path("resources/<str:code>/edit/", views.resource_edit, name="resource_edit"),
    path("resources/<str:code>/datasets/", views.dataset_upload, name="dataset_upload"),
    path("agreements/", views.agreements, name="agreements"),
    path("agreements/<int:pk>/decide/", views.agreement_decide, name="agreement_decide"),
    path("discrepancies/", views.discrepancies, name="discrepancies"),
    path("discrepancies/<int:pk>/decide/", views.discrepancy_decide, name="discrepancy_decide"),
    path("access/", views.access_records, name="access"),
    path("art8/", views.fetchable_requests, name="art8"),
    path("figures/", views.figures, name="figures"),
]
