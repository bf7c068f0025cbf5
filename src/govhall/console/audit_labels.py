"""Readable labels of audit actions for staff ("事项 · 发布" for ``catalog.item.published``): staff read
labels, not codes. The code stays in the page's markup (``title``) and in exports for auditors."""

from __future__ import annotations

from django.utils.translation import get_language

OBJECTS = {
    "cases.application": ("申请", "application"), "cases.case": ("办件", "case"),
    "cases.correction": ("补正告知", "correction notice"), "cases.extension": ("延期", "extension"),
    "cases.licence_face": ("证照照面信息", "licence details"), "cases.material": ("申请材料", "material"),
    "cases.payment": ("缴费", "payment"), "cases.special": ("特别程序", "special procedure"),
    "cases.step": ("办理环节", "handling step"), "catalog.catalog_item": ("目录事项", "catalogue entry"),
    "catalog.item": ("实施清单事项", "implementation item"), "catalog.list": ("事项清单", "item list"),
    "catalog.onboarding": ("清单导入", "list onboarding"), "catalog.organ": ("实施机构", "organ"),
    "catalog.region": ("行政区划", "region"), "catalog.topic": ("主题", "topic"),
    "catalog.vocabulary": ("检索词表", "search vocabulary"), "core.calendar": ("工作日历", "working-day calendar"),
    "core.event_delivery": ("事件投递", "event delivery"), "crypto.ca": ("证书认证机构", "certificate authority"),
    "crypto.key": ("密钥", "key"), "crypto.seal": ("电子印章", "seal"), "documents.document": ("电子文书", "document"),
    "documents.pades": ("文书签名", "document signature"), "documents.seal": ("文书签章", "document seal"),
    "federation.peer": ("互信节点", "trusted node"), "identity.agent": ("代理授权", "agent mandate"),
    "identity.legal_person": ("法人", "legal person"), "identity.person": ("自然人", "person"),
    "licenses.licence": ("电子证照", "licence"), "licenses.share_link": ("证照分享链接", "licence share link"),
    "licenses.type": ("证照类型", "licence type"), "login": ("登录", "log-in"), "login.factor": ("第二验证方式", "second factor"),
    "login.password": ("密码", "password"), "login.sms": ("短信验证码", "SMS code"), "oidc.client": ("接入应用", "client"),
    "oidc.code": ("授权码", "authorisation code"), "oidc.consent": ("授权同意", "consent"), "oidc.key": ("签名密钥", "signing key"),
    "oidc.token": ("令牌", "token"), "ops.backup": ("备份", "backup"), "ops.instance": ("平台实例", "instance"),
    "sharing.access": ("数据查询", "data lookup"), "sharing.agreement": ("共享协议", "sharing agreement"),
    "sharing.dataset": ("数据集", "dataset"), "sharing.discrepancy": ("数据异议", "data discrepancy"),
    "sharing.fetch": ("共享获取", "fetch"), "sharing.resource": ("数据资源", "data resource"),
    "translog.anchor": ("审计锚点", "audit anchor"), "translog.sth": ("签名树头", "signed tree head"),
}

VERBS = {
    "accepted": ("受理", "accepted"), "answered": ("答复", "answered"), "appended": ("追加", "appended"),
    "approved": ("批准", "approved"), "assigned": ("分派", "assigned"), "authorisation_revoked": ("撤销授权", "authorisation revoked"),
    "authorised": ("授权", "authorised"), "auto_created": ("自动创建", "created automatically"), "batch": ("批量处理", "batch"),
    "changed": ("变更", "changed"), "completed": ("完成", "completed"), "confirmed": ("确认", "confirmed"),
    "corrected": ("更正", "corrected"), "correction_expired": ("补正逾期终止", "ended: correction not made"),
    "created": ("创建", "created"), "crl_issued": ("签发吊销列表", "CRL issued"), "decided": ("作出决定", "decided"),
    "declined": ("拒绝", "declined"), "deemed_accepted": ("视为受理", "deemed accepted"), "deleted": ("删除", "deleted"),
    "delivered": ("送达", "delivered"), "draft_created": ("创建草稿", "draft created"), "draft_updated": ("修改草稿", "draft updated"),
    "ended": ("结束", "ended"), "enrolled": ("启用", "enrolled"), "expired": ("过期", "expired"), "failed": ("失败", "failed"),
    "found": ("发现", "found"), "generated": ("生成", "generated"), "granted": ("准予", "granted"),
    "identity_updated": ("更新标识", "identity updated"), "imported": ("导入", "imported"),
    "issue_refused": ("拒绝签发", "issue refused"), "issued": ("签发", "issued"), "key_revoked": ("吊销密钥", "key revoked"),
    "locked": ("锁定", "locked"), "logout_everywhere": ("全部设备退出", "logged out everywhere"), "paid": ("已缴费", "paid"),
    "pkce_failed": ("PKCE 校验失败", "PKCE check failed"), "published": ("发布", "published"), "refused": ("不予受理或拒绝", "refused"),
    "registered": ("注册", "registered"), "reinstated": ("恢复", "reinstated"), "removed": ("移除", "removed"),
    "replaced": ("换发", "replaced"), "requested": ("申请", "requested"), "reset": ("重置", "reset"),
    "reset_requested": ("申请重置", "reset requested"), "restored": ("恢复", "restored"), "retired": ("废止", "retired"),
    "retried": ("重试", "retried"), "reused": ("重复使用", "reused"), "revoked": ("撤销", "revoked"),
    "rewrapped": ("重新封装", "re-wrapped"), "root_created": ("创建根证书", "root created"), "rotated": ("轮换", "rotated"),
    "sent": ("发送", "sent"), "signed": ("签名", "signed"), "signer_created": ("创建签名证书", "signer created"),
    "started": ("开始", "started"), "submitted": ("提交", "submitted"), "succeeded": ("成功", "succeeded"),
    "suspended": ("暂停", "suspended"), "updated": ("修改", "updated"), "uploaded": ("上传", "uploaded"),
    "used": ("使用", "used"), "verification_failed": ("核验失败", "verification failed"), "verified": ("核验", "verified"),
    "withdrawn": ("撤回", "withdrawn"), "year_set": ("设置年度日历", "year set"),
}


def action_label(code: str) -> str:
    """"实施清单事项 · 发布" in Chinese, "implementation item · published" in English; an action this
    table does not know yet shows its object and verb as they are."""
    english = (get_language() or "").startswith("en")
    obj, _, verb = (code or "").rpartition(".")
    o = OBJECTS.get(obj) or OBJECTS.get(obj.split(".", 1)[0])
    v = VERBS.get(verb)
    pick = (lambda pair: pair[1]) if english else (lambda pair: pair[0])
    return f"{pick(o) if o else obj} · {pick(v) if v else verb}"
