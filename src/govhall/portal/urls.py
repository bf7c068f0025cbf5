from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("topics/<str:code>/", views.topic, name="topic"),
    path("organs/<str:credit_code>/", views.organ, name="organ"),
    path("regions/<str:code>/", views.region, name="region"),
    path("items/<str:implementation_code>/", views.guide, name="guide"),
]
