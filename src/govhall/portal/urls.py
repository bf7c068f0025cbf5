from django.urls import path

from . import feedback_views as feedback
from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("topics/<str:code>/", views.topic, name="topic"),
    path("organs/<str:credit_code>/", views.organ, name="organ"),
    path("regions/<str:code>/", views.region, name="region"),
    path("items/<str:implementation_code>/", views.guide, name="guide"),
    # 好差评, 我要问, complaints (issue 13)
    path("feedback/rate/<str:number>/", feedback.rate, name="feedback_rate"),
    path("feedback/ratings/", feedback.my_ratings, name="feedback_ratings"),
    path("feedback/ratings/<int:pk>/", feedback.rating_detail, name="feedback_rating"),
    path("feedback/figures/", feedback.figures, name="feedback_figures"),
    path("feedback/ask/<str:item_code>/", feedback.ask, name="feedback_ask"),
    path("feedback/consultations/<int:pk>/", feedback.consultation_detail, name="feedback_consultation"),
    path("feedback/complaints/new/", feedback.complaint_new, name="feedback_complaint_new"),
    path("feedback/complaints/<int:pk>/", feedback.complaint_detail, name="feedback_complaint"),
]
