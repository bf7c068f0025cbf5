"""Permissions of the feedback context. Object scope (the organ of the case, item or complaint) is
checked in the services and selectors: what is outside the actor's organs answers 404."""

from govhall.core.permissions import register

FEEDBACK_VIEW = register("feedback.view", "查看评价、咨询与投诉", "view ratings, consultations and complaints of the organ")
FEEDBACK_HANDLE = register("feedback.handle", "处理差评整改、答复咨询与投诉",
                           "rectify bad ratings, answer consultations, handle complaints")
FEEDBACK_SUPERVISE = register("feedback.supervise", "审核差评申诉、督办投诉",
                              "decide rating appeals and supervise complaints")
