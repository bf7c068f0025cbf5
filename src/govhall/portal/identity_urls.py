"""Account pages, mounted at /account/ (the login app owns /account/login/ and /account/logout/)."""

from django.urls import path

from govhall.portal import identity_views as views

app_name = "identity"
urlpatterns = [
    path("", views.account, name="account"),
    path("register/", views.register, name="register"),
    path("register/company/", views.register_company, name="register_company"),
    path("agents/", views.agents, name="agents"),
    path("agents/<int:pk>/revoke/", views.agent_revoke, name="agent_revoke"),
]
