import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings.base")
application = get_wsgi_application()

# A worker started with a missing or wrong master key must not serve (docs/backup.md).
from govhall.crypto.checks import refuse_to_start  # noqa: E402  (needs the apps loaded above)

refuse_to_start()
