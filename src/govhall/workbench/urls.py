"""The staff workbench: queues, the case page and one POST endpoint per action."""

from django.urls import path

from govhall.workbench import views

app_name = "workbench"
urlpatterns = [
    path("", views.queues, name="queues"),
    # the counter comes before <number>/ so that "counter" is never taken for a case number
    path("counter/", views.counter, name="counter"),
    path("counter/<uuid:public_id>/", views.counter_draft, name="counter_draft"),
    path("counter/<uuid:public_id>/materials/<int:material_id>/", views.counter_upload, name="counter_upload"),
    path("<str:number>/", views.case_detail, name="case"),
    path("<str:number>/accept/", views.accept, name="accept"),
    path("<str:number>/refuse/", views.refuse, name="refuse"),
    path("<str:number>/correction/", views.correction, name="correction"),
    path("<str:number>/claim/", views.claim, name="claim"),
    path("<str:number>/step/", views.step, name="step"),
    path("<str:number>/joint/", views.joint, name="joint"),
    path("<str:number>/special/start/", views.special_start, name="special_start"),
    path("<str:number>/special/end/", views.special_end, name="special_end"),
    path("<str:number>/licence-face/", views.licence_face, name="licence_face"),
    path("<str:number>/extension/", views.extension, name="extension"),
    path("<str:number>/extension/decide/", views.extension_decide, name="extension_decide"),
    path("<str:number>/decide/", views.decide, name="decide"),
    path("<str:number>/deliver/", views.deliver, name="deliver"),
    path("<str:number>/files/<int:file_id>/", views.material_file, name="file"),
    path("<str:number>/results/<int:result_id>/", views.result_file, name="result"),
]
