"""Electronic supervision pages under /console/supervision/."""

from django.urls import path

from . import supervision_views as views

app_name = "supervision_console"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("warnings/", views.warnings, name="warnings"),
    path("warnings/<int:pk>/", views.warning, name="warning"),
    path("figures/", views.figures, name="figures"),
    path("figures.xlsx", views.figures_xlsx, name="figures_xlsx"),
    path("figures/cases/", views.figure_cases, name="figure_cases"),
    path("rules/", views.rules, name="rules"),
    path("scan/", views.scan_now, name="scan"),
]
