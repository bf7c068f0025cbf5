from django.conf import settings
from django.utils.translation import get_language

from . import simulators


def platform(request):
    return {"site_name": settings.GOVHALL_SITE_NAME, "demo_mode": settings.GOVHALL_DEMO,
            "simulator_banner": simulator_banner(),
            "demo_set": settings.GOVHALL_DEMO_SET}


def simulator_banner() -> str:
    """In production, the simulators allowed by GOVHALL_ALLOW_SIMULATORS and in use, for the banner
    on every page ("" when there are none, and always outside production)."""
    if not simulators.production():
        return ""
    allowed = simulators.allowed()
    names = [a for a in simulators.in_use() if a.name in allowed]
    if not names:
        return ""
    if (get_language() or "").startswith("en"):
        return "Simulated services (not real): " + ", ".join(a.label_en for a in names)
    return "演示/模拟服务：" + "、".join(a.label_zh for a in names) + "（非真实服务）"
