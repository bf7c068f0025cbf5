"""Permissions of business handling. Object scope (the case's organ, or a co-organ's joint task) is
checked by ``scope.py``; a case outside the actor's scope answers 404."""

from govhall.core.permissions import register

CASE_VIEW = register("cases.case.view", "查看办件", "view cases of the organ")
CASE_ACCEPT = register("cases.case.accept", "受理办件（受理、不予受理、补正告知、窗口收件、送达）",
                       "accept, refuse or request correction; take applications at the window; deliver results")
CASE_HANDLE = register("cases.case.handle", "办理办件（承办、审核、特别程序、申请延期）",
                       "handle steps, special procedures and extension requests")
CASE_DECIDE = register("cases.case.decide", "批准与决定（审批延期、作出决定）",
                       "approve extensions and issue decisions")
