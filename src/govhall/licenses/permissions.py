from govhall.core.permissions import register

TYPE_MANAGE = register("licenses.type.manage", "维护证照目录", "maintain licence types")
LICENCE_ISSUE = register("licenses.licence.issue", "签发电子证照", "issue electronic licences")
LICENCE_MANAGE = register("licenses.licence.manage", "中止、恢复、注销、换发电子证照",
                          "suspend, reinstate, revoke and replace electronic licences")
