from govhall.core.permissions import register

DELIVERY_MANAGE = register("notifications.delivery.manage", "处理发送失败的通知（查看、重发）",
                           "see failed e-mail and SMS deliveries and send them again")
