from govhall.core.permissions import register

CONSOLE = register("console.access", "进入管理后台", "open the management console")
ITEM_VIEW = register("catalog.item.view", "查看事项（含草稿）", "view catalogue items including drafts")
ITEM_EDIT = register("catalog.item.edit", "编辑事项草稿", "edit catalogue item drafts")
ITEM_PUBLISH = register("catalog.item.publish", "发布、废止事项", "publish and retire catalogue items")
ITEM_IMPORT = register("catalog.item.import", "导入实施清单", "import implementation lists")
AUDIT_VIEW = register("core.audit.view", "查看审计日志", "view the audit log")
CALENDAR_EDIT = register("core.calendar.edit", "维护工作日历", "maintain the working-day calendar")
ONBOARD = register("catalog.onboard", "登记区划、机构和目录事项，导入事项清单",
                   "register regions, organs and catalogue entries; import item lists")
VOCABULARY_MANAGE = register("catalog.vocabulary.manage", "维护检索词表、查看检索统计",
                             "maintain the search vocabulary and see search statistics")
