"""Test profile: the real database named by DATABASE_URL (SQLite by default), tasks run immediately."""

import tempfile

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; Argon2 is tested explicitly
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
MEDIA_ROOT = tempfile.mkdtemp(prefix="govhall-media-")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
GOVHALL_DEMO = True

# A file, not SQLite's shared in-memory database: concurrency tests (two officers on one case, case
# numbers under load) need real locking with the busy timeout, as in production.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(tempfile.mkdtemp(prefix="govhall-testdb-")) + "/test.sqlite3"}  # noqa: F405
