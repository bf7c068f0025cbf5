"""Production profile: HTTPS only, strict cookies, no demo data. Passes ``govhall check --deploy``."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool

if not os.environ.get("SECRET_KEY"):
    raise ImproperlyConfigured("SECRET_KEY must be set in production / 生产环境必须设置 SECRET_KEY")

DEBUG = False
GOVHALL_PRODUCTION = True  # `govhall check --deploy` refuses simulators not in GOVHALL_ALLOW_SIMULATORS
GOVHALL_REQUIRE_MASTER_KEY = True
GOVHALL_DEMO = env_bool("GOVHALL_DEMO", False)
SECURE_SSL_REDIRECT = env_bool("GOVHALL_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("GOVHALL_HSTS_SECONDS", 31536000))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-govhall-session"
CSRF_COOKIE_NAME = "__Host-govhall-csrf"
