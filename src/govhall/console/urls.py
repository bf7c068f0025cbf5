from django.urls import path

from . import views, vocabulary_views

app_name = "console"
urlpatterns = [
    path("", views.home, name="home"),
    path("items/", views.items, name="items"),
    path("items/<str:code>/", views.item, name="item"),
    path("items/<str:code>/edit/", views.item_edit, name="item_edit"),
    path("items/<str:code>/validate/", views.item_validate, name="item_validate"),
    path("items/<str:code>/publish/", views.item_publish, name="item_publish"),
    path("items/<str:code>/retire/", views.item_retire, name="item_retire"),
    path("vocabulary/", vocabulary_views.vocabulary, name="vocabulary"),
    path("vocabulary/import/", vocabulary_views.vocabulary_import, name="vocabulary_import"),
    path("vocabulary/export/", vocabulary_views.vocabulary_export, name="vocabulary_export"),
    path("vocabulary/words-to-add/", vocabulary_views.search_words, name="search_words"),
    path("vocabulary/<int:pk>/", vocabulary_views.vocabulary_entry, name="vocabulary_entry"),
    path("vocabulary/<int:pk>/delete/", vocabulary_views.vocabulary_delete, name="vocabulary_delete"),
    path("audit/", views.audit, name="audit"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/<int:year>/", views.calendar, name="calendar"),
]
