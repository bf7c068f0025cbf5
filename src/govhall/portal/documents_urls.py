"""Signed-document downloads beside the case pages. Mounted at the site root:
``path("", include("govhall.portal.documents_urls"))``."""

from django.urls import path

from govhall.portal import documents_views as views

app_name = "documents"
urlpatterns = [
    path("pki/document-signing-root.pem", views.pades_root, name="pades_root"),
    path("my/cases/<str:number>/documents/<int:pk>/", views.applicant_download, name="applicant_pdf"),
    path("my/cases/<str:number>/documents/<int:pk>/signature/", views.applicant_download, {"part": "ses"},
         name="applicant_ses"),
    path("console/cases/<str:number>/documents/<int:pk>/", views.staff_download, name="staff_pdf"),
    path("console/cases/<str:number>/documents/<int:pk>/signature/", views.staff_download, {"part": "ses"},
         name="staff_ses"),
]
