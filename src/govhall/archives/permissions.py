"""Permissions of the electronic archives. Object scope: packages belong to the organ of their case
(``scope.py``); a package outside the actor's organs answers 404, as cases do."""

from govhall.core.permissions import register

PACKAGE_VIEW = register("archives.package.view", "查看电子档案（归档信息包、检测结果、下载）",
                        "view archival packages, their checks and events, download them")
PACKAGE_MANAGE = register("archives.package.manage", "管理电子档案（重新归档、四性检测、恢复演练、法律保全、保管期限）",
                          "rebuild packages, run checks and drills, set legal holds and retention periods")
DISPOSAL_PROPOSE = register("archives.disposal.propose", "提出档案销毁清单", "propose disposal lists")
DISPOSAL_APPROVE = register("archives.disposal.approve", "审批档案销毁清单", "approve or reject disposal lists")
