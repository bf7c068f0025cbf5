from django.urls import path

from . import events_views, views, vocabulary_views
from . import onboarding_views as onboarding

app_name = "console"
urlpatterns = [
    path("", views.home, name="home"),
    path("items/", views.items, name="items"),
    path("items/new/", onboarding.item_new, name="item_new"),
    path("items/<str:code>/", views.item, name="item"),
    path("items/<str:code>/edit/", views.item_edit, name="item_edit"),
    path("items/<str:code>/identity/", onboarding.item_identity, name="item_identity"),
    path("items/<str:code>/validate/", views.item_validate, name="item_validate"),
    path("items/<str:code>/publish/", views.item_publish, name="item_publish"),
    path("items/<str:code>/retire/", views.item_retire, name="item_retire"),
    path("onboarding/", onboarding.overview, name="onboarding"),
    path("onboarding/import/", onboarding.onboarding_import, name="onboarding_import"),
    path("onboarding/templates/<str:kind>.<str:fmt>", onboarding.onboarding_template, name="onboarding_template"),
    path("regions/", onboarding.regions, name="regions"),
    path("regions/<str:code>/", onboarding.region, name="region"),
    path("organs/", onboarding.organs, name="organs"),
    path("organs/new/", onboarding.organ_new, name="organ_new"),
    path("organs/<int:pk>/", onboarding.organ, name="organ"),
    path("catalog/", onboarding.catalog_items, name="catalog_items"),
    path("catalog/new/", onboarding.catalog_item_new, name="catalog_item_new"),
    path("catalog/<int:pk>/", onboarding.catalog_item, name="catalog_item"),
    path("completeness/", onboarding.completeness_dashboard, name="completeness"),
    path("completeness/export.xlsx", onboarding.completeness_export, name="completeness_export"),
    path("vocabulary/", vocabulary_views.vocabulary, name="vocabulary"),
    path("vocabulary/import/", vocabulary_views.vocabulary_import, name="vocabulary_import"),
    path("vocabulary/export/", vocabulary_views.vocabulary_export, name="vocabulary_export"),
    path("vocabulary/words-to-add/", vocabulary_views.search_words, name="search_words"),
    path("vocabulary/<int:pk>/", vocabulary_views.vocabulary_entry, name="vocabulary_entry"),
    path("vocabulary/<int:pk>/delete/", vocabulary_views.vocabulary_delete, name="vocabulary_delete"),
    path("audit/", views.audit, name="audit"),
    path("events/failed/", events_views.failed, name="event_deliveries_failed"),
    path("events/failed/<int:pk>/retry/", events_views.retry, name="event_delivery_retry"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/<int:year>/", views.calendar, name="calendar"),
]
