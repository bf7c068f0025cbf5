from django.conf import settings


def platform(request):
    return {"site_name": settings.GOVHALL_SITE_NAME, "demo_mode": settings.GOVHALL_DEMO,
            "demo_set": settings.GOVHALL_DEMO_SET}
