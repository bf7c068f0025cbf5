"""Applicant pages: apply, drafts, my cases, corrections, results, public progress, payment."""

from django.urls import path

from govhall.portal import cases_views as views

app_name = "cases"
urlpatterns = [
    path("apply/<str:item_code>/", views.apply_start, name="apply"),
    path("applications/<uuid:public_id>/", views.draft, name="draft"),
    path("applications/<uuid:public_id>/materials/<int:material_id>/upload/", views.material_upload,
         name="material_upload"),
    path("my/cases/", views.my_cases, name="my_cases"),
    path("my/cases/<str:number>/", views.case_detail, name="case"),
    path("my/cases/<str:number>/correction/", views.correction_submit, name="correction_submit"),
    path("my/cases/<str:number>/withdraw/", views.case_withdraw, name="withdraw"),
    path("my/cases/<str:number>/pay/", views.payment_start, name="pay"),
    path("my/cases/<str:number>/results/<int:result_id>/", views.result_download, name="result"),
    path("pay/simulator/<str:order_number>/", views.payment_simulator, name="simulator"),
    path("progress/", views.progress, name="progress"),
]
