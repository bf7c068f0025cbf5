"""Permissions of electronic supervision. Scope: a supervisor's region (and everything below it);
an organ's staff see and answer the warnings of their organ."""

from govhall.core.permissions import register

WARNING_VIEW = register("supervision.warning.view", "查看电子监察预警", "view supervision warnings")
WARNING_RESPOND = register("supervision.warning.respond", "签收、说明和整改本部门的监察预警",
                           "acknowledge, explain and rectify the organ's supervision warnings")
WARNING_DECIDE = register("supervision.warning.decide", "办结或升级监察预警、管理监察规则",
                          "close or escalate supervision warnings; manage the supervision rules")
FIGURES_VIEW = register("supervision.figures.view", "查看效能统计与考核", "view efficiency figures and grades")
