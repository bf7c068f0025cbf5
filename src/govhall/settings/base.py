"""Settings read from the environment. Every variable is documented in docs/configuration.md.

Defaults are for one laptop: SQLite in ``var/`` (WAL), a secret key generated once into ``var/``.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

# var/ holds the database, uploads, keys and the e-mail outbox: personal data and secrets. Everything
# this process creates is private to the account that runs it (files 0600, folders 0700), whoever
# creates it: SQLite and its -wal/-shm files, uploads, key files, mail. See docs/deployment.md.
os.umask(0o077)

BASE_DIR = Path(__file__).resolve().parent.parent  # src/govhall
VAR_DIR = Path(os.environ.get("GOVHALL_VAR_DIR", Path.cwd() / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)


def _make_private(directory: Path) -> None:
    """Close up a var/ made by an older version (0755 folders, 0644 files): the folder and the files
    directly in it and in its first-level folders (the database, keys, mail), if they are ours. Files
    deeper down (media) are out of reach once their folders are 0700."""
    uid = os.getuid()
    for path in [directory, *directory.iterdir(), *(p for d in directory.iterdir() if d.is_dir() for p in d.iterdir())]:
        try:
            info = path.lstat()
            if info.st_uid != uid or path.is_symlink():
                continue
            mode = 0o700 if path.is_dir() else 0o600
            if info.st_mode & 0o777 != mode:
                path.chmod(mode)
        except OSError:  # gone meanwhile, or not ours to change
            continue


_make_private(VAR_DIR)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


def _secret_key() -> str:
    """SECRET_KEY from the environment, else generated once into var/secret_key (never committed)."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("GOVHALL_DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
GOVHALL_DEMO = env_bool("GOVHALL_DEMO", True)
# True only in govhall.settings.production: the deployment checks then refuse local simulators.
GOVHALL_PRODUCTION = False
# Simulators production may use anyway (comma list of names: population-register, legal-person-register,
# face-check, sms, payment); every page then shows a banner naming them. See docs/deployment.md.
GOVHALL_ALLOW_SIMULATORS = env_list("GOVHALL_ALLOW_SIMULATORS", "")
# Which demo data set an empty database gets (make run DEMO=...): luan (default) or guangan. Each set
# has its own default SQLite file, so switching sets needs no reset.
GOVHALL_DEMO_SET = os.environ.get("GOVHALL_DEMO_SET", "") or "luan"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "govhall.core",
    "govhall.crypto",
    "govhall.identity",
    "govhall.login",
    "govhall.oidc",
    "govhall.catalog",
    "govhall.cases",
    "govhall.notifications",
    "govhall.translog",
    "govhall.licenses",
    "govhall.documents",
    "govhall.federation",
    "govhall.sharing",
    "govhall.archives",
    "govhall.feedback",
    "govhall.supervision",
    "govhall.portal",
    "govhall.console",
    "govhall.workbench",
    "govhall.api",
    "govhall.ops",
    "govhall.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "govhall.core.middleware.RequestIdMiddleware",
    "govhall.api.middleware.ApiErrorMiddleware",  # under /api/: JSON errors only, no NUL characters
    "django.contrib.sessions.middleware.SessionMiddleware",
    "govhall.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "govhall.login.middleware.SessionGenerationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "govhall.urls"
WSGI_APPLICATION = "govhall.wsgi.application"
AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = ["govhall.identity.backends.GovHallBackend"]
LOGIN_URL = "login:login"
LOGIN_REDIRECT_URL = "console:home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "govhall.core.context_processors.platform",
                "govhall.notifications.context_processors.inbox",
            ],
        },
    }
]

_db_file = "govhall-guangan.sqlite3" if GOVHALL_DEMO_SET == "guangan" else "govhall.sqlite3"
_default_db = f"sqlite:///{VAR_DIR / _db_file}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE: a write transaction takes the lock at BEGIN, so the audit chain never forks
        # and writers queue behind busy_timeout instead of failing on lock upgrade.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "govhall.login.hashers.GovHallArgon2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "govhall.login.validators.GovHallPasswordValidator"},
]
# Login throttling: failures per account / per client address within the window, then a lock.
GOVHALL_LOGIN_ACCOUNT_FAILURES = int(os.environ.get("GOVHALL_LOGIN_ACCOUNT_FAILURES", 5))
GOVHALL_LOGIN_ADDRESS_FAILURES = int(os.environ.get("GOVHALL_LOGIN_ADDRESS_FAILURES", 20))
GOVHALL_LOGIN_FAILURE_WINDOW = int(os.environ.get("GOVHALL_LOGIN_FAILURE_WINDOW", 900))
GOVHALL_LOGIN_LOCK_SECONDS = int(os.environ.get("GOVHALL_LOGIN_LOCK_SECONDS", 900))
# Request header carrying the client address behind a reverse proxy (e.g. HTTP_X_REAL_IP); empty: REMOTE_ADDR.
GOVHALL_LOGIN_CLIENT_IP_HEADER = os.environ.get("GOVHALL_LOGIN_CLIENT_IP_HEADER", "")
# Register and face-check adapters (docs/accounts.md); the default simulators are for development.
GOVHALL_POPULATION_REGISTER = os.environ.get("GOVHALL_POPULATION_REGISTER",
                                             "govhall.identity.registers.SimulatedPopulationRegister")
GOVHALL_LEGAL_PERSON_REGISTER = os.environ.get("GOVHALL_LEGAL_PERSON_REGISTER",
                                               "govhall.identity.registers.SimulatedLegalPersonRegister")
GOVHALL_FACE_CHECK = os.environ.get("GOVHALL_FACE_CHECK", "govhall.identity.registers.SimulatedFaceCheck")
# SMS gateway (dotted path to a class with send(phone, text)); the default simulator is for development.
GOVHALL_SMS_GATEWAY = os.environ.get("GOVHALL_SMS_GATEWAY", "govhall.login.sms.SimulatorGateway")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
# Uploaded and generated files (materials, signed documents): owner only, whatever the umask.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("GOVHALL_SESSION_SECONDS", 30 * 60))
SESSION_SAVE_EVERY_REQUEST = True  # idle timeout, not absolute
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy on every response (django-csp): our own scripts, styles and images only;
# no inline script or style anywhere (tests/test_csp.py scans the templates). Stored files keep the
# stricter sandboxing policy their view sets (cases/http.py). docs/content-security-policy.md explains it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # data: the seal picture and the API docs' icons
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("GOVHALL_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Upload limit for catalogue imports and material files (bytes).
GOVHALL_MAX_UPLOAD_BYTES = int(os.environ.get("GOVHALL_MAX_UPLOAD_BYTES", 20 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = GOVHALL_MAX_UPLOAD_BYTES
# Payment provider class (dotted path, docs/uploads-and-payments.md); the simulator takes no money.
GOVHALL_PAYMENT_PROVIDER = os.environ.get("GOVHALL_PAYMENT_PROVIDER", "govhall.cases.payments.SimulatorProvider")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The platform's own name, shown in the page header.
# Notifications (docs/notifications.md): e-mail through Django's SMTP backend. Without EMAIL_HOST,
# e-mails are written to var/mail/ (a development outbox) instead of being sent.
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", 10))
GOVHALL_MAIL_FROM = os.environ.get("GOVHALL_MAIL_FROM", "noreply@localhost")
# The public origin: licence QR codes, e-mail and SMS links carry it. Set it in production.
GOVHALL_SITE_URL = os.environ.get("GOVHALL_SITE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '8000')}")
# Signed PDF documents: the TrueType font embedded for Chinese text (empty: WenQuanYi Micro Hei from
# the Debian package fonts-wqy-microhei). See docs/documents.md.
GOVHALL_PDF_FONT = os.environ.get("GOVHALL_PDF_FONT", "")
GOVHALL_NOTIFY_MAX_ATTEMPTS = int(os.environ.get("GOVHALL_NOTIFY_MAX_ATTEMPTS", 5))
# Working days the applicant has to answer a correction notice (the organ may set another per notice).
GOVHALL_CORRECTION_DAYS = int(os.environ.get("GOVHALL_CORRECTION_DAYS", 15))
# Public progress lookups (case number + query code): failures per client address and window.
GOVHALL_PROGRESS_FAILURES = int(os.environ.get("GOVHALL_PROGRESS_FAILURES", 10))
GOVHALL_PROGRESS_WINDOW = int(os.environ.get("GOVHALL_PROGRESS_WINDOW", 600))

_DEMO_SITES = {"guangan": ("广安区政务服务网（演示）", "511602")}
GOVHALL_SITE_NAME = os.environ.get("GOVHALL_SITE_NAME",
                                   _DEMO_SITES.get(GOVHALL_DEMO_SET, ("皖事通办 · 六安政务服务网",))[0])
# Region whose catalogue the portal shows by default (GB/T 2260 code).
GOVHALL_HOME_REGION = os.environ.get("GOVHALL_HOME_REGION",
                                     _DEMO_SITES.get(GOVHALL_DEMO_SET, ("", "341500"))[1])

# Catalogue search (docs/search.md): the optional semantic stage (off | rerank | fallback; needs the
# [semantic] extra), a model file other than the one the package ships, and the anonymous query statistics.
GOVHALL_SEARCH_SEMANTIC = os.environ.get("GOVHALL_SEARCH_SEMANTIC", "off")
GOVHALL_SEARCH_SEMANTIC_MODEL = os.environ.get("GOVHALL_SEARCH_SEMANTIC_MODEL", "")
GOVHALL_SEARCH_LOG = env_bool("GOVHALL_SEARCH_LOG", True)
# Seconds between scheduler ticks; the scheduler lock lease is three ticks.
GOVHALL_SCHEDULER_TICK = int(os.environ.get("GOVHALL_SCHEDULER_TICK", 30))
# Task lease (core/task_lease.py): a task left RUNNING by a `govhall worker` whose heartbeat is older
# than this many seconds is queued again; after this many attempts on dying workers it is marked failed.
GOVHALL_TASK_LEASE = int(os.environ.get("GOVHALL_TASK_LEASE", 60))
GOVHALL_TASK_MAX_ATTEMPTS = int(os.environ.get("GOVHALL_TASK_MAX_ATTEMPTS", 3))

# OpenID Connect provider: issuer URL (iss claim); default: this site's origin as the request sees it.
GOVHALL_OIDC_ISSUER = os.environ.get("GOVHALL_OIDC_ISSUER", "")
# Directory of the ID-token signing keys; GOVHALL_OIDC_SIGNING_KEY (PEM) overrides the active key.
GOVHALL_OIDC_KEY_DIR = os.environ.get("GOVHALL_OIDC_KEY_DIR") or VAR_DIR / "oidc-keys"

# Federation between GovHall nodes (docs/federation.md): this node's identity, the licence issuer
# credit-code prefixes it answers for, and the client's timeouts, retries and circuit breaker.
# Electronic archives (docs/archives.md): where packages are stored (a STORAGES["archives"] entry wins),
# the second copy, the organ whose seal seals them (default: the case's organ), the retention of item
# types without a rule, the virus scanner command, the hours between scheduled checks.
GOVHALL_ARCHIVES_ROOT = os.environ.get("GOVHALL_ARCHIVES_ROOT", "")
GOVHALL_ARCHIVES_COPY_ROOT = os.environ.get("GOVHALL_ARCHIVES_COPY_ROOT", "")
GOVHALL_ARCHIVES_TMP = os.environ.get("GOVHALL_ARCHIVES_TMP", "")
GOVHALL_ARCHIVES_ORGAN = os.environ.get("GOVHALL_ARCHIVES_ORGAN", "")
GOVHALL_ARCHIVES_DEFAULT_RETENTION = os.environ.get("GOVHALL_ARCHIVES_DEFAULT_RETENTION", "permanent")
GOVHALL_ARCHIVES_VIRUS_SCANNER = os.environ.get("GOVHALL_ARCHIVES_VIRUS_SCANNER", "")
GOVHALL_ARCHIVES_CHECK_HOURS = int(os.environ.get("GOVHALL_ARCHIVES_CHECK_HOURS", 24))
GOVHALL_NODE_CODE = os.environ.get("GOVHALL_NODE_CODE", GOVHALL_HOME_REGION)
GOVHALL_NODE_NAME = os.environ.get("GOVHALL_NODE_NAME", GOVHALL_SITE_NAME)
GOVHALL_NODE_BASE_URL = os.environ.get("GOVHALL_NODE_BASE_URL", GOVHALL_SITE_URL)
GOVHALL_NODE_ISSUER_PREFIXES = env_list("GOVHALL_NODE_ISSUER_PREFIXES", "")
GOVHALL_FEDERATION_CONNECT_TIMEOUT = float(os.environ.get("GOVHALL_FEDERATION_CONNECT_TIMEOUT", 3))
GOVHALL_FEDERATION_READ_TIMEOUT = float(os.environ.get("GOVHALL_FEDERATION_READ_TIMEOUT", 10))
GOVHALL_FEDERATION_RETRIES = int(os.environ.get("GOVHALL_FEDERATION_RETRIES", 2))
GOVHALL_FEDERATION_BACKOFF = float(os.environ.get("GOVHALL_FEDERATION_BACKOFF", 0.2))
GOVHALL_FEDERATION_BREAKER_FAILURES = int(os.environ.get("GOVHALL_FEDERATION_BREAKER_FAILURES", 5))
GOVHALL_FEDERATION_BREAKER_COOLDOWN = int(os.environ.get("GOVHALL_FEDERATION_BREAKER_COOLDOWN", 60))
GOVHALL_FEDERATION_CLOCK_SKEW = int(os.environ.get("GOVHALL_FEDERATION_CLOCK_SKEW", 300))
GOVHALL_FEDERATION_MAX_BYTES = int(os.environ.get("GOVHALL_FEDERATION_MAX_BYTES", 1024 * 1024))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "govhall.core.middleware.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("GOVHALL_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
