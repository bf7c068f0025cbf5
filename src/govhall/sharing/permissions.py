"""Permissions of the data sharing platform. Object scope (the provider organ, the requesting organ)
is checked by ``scope.py``; what is outside it answers 404."""

from govhall.core.permissions import register

RESOURCE_VIEW = register("sharing.resource.view", "查看数据资源目录", "view the data resource catalogue")
RESOURCE_MANAGE = register("sharing.resource.manage", "管理数据资源与数据集（本部门提供的）",
                           "manage data resources and upload datasets of one's organ")
AGREEMENT_MANAGE = register("sharing.agreement.manage", "申请与审批共享协议", "request and decide sharing agreements")
DISCREPANCY_DECIDE = register("sharing.discrepancy.decide", "核实数据不一致（第九条）",
                              "verify discrepancies with shared data (Art. 9)")
ACCESS_VIEW = register("sharing.access.view", "查看数据调用记录与第八条监察记录",
                       "view access records and Art. 8 supervision records")
FIGURES_VIEW = register("sharing.figures.view", "查看“减少提交材料”统计", "view the “materials saved” figures")
