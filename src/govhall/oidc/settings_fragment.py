"""What the OpenID Connect provider needs from settings: nothing is required.

Everything lives in the ``govhall.oidc`` app (already in INSTALLED_APPS). Optional settings, each
with a working default; the lead may paste these into settings/base.py:

    # Issuer URL of the OpenID Connect provider (iss claim; discovery). Default: this site's origin
    # as the request sees it. Set it in production, e.g. https://www.example.gov.cn
    GOVHALL_OIDC_ISSUER = os.environ.get("GOVHALL_OIDC_ISSUER", "")
    # Directory of the ID-token signing keys (<kid>.pem, 0600) and the 'active' pointer.
    GOVHALL_OIDC_KEY_DIR = os.environ.get("GOVHALL_OIDC_KEY_DIR") or VAR_DIR / "oidc-keys"

The environment variable ``GOVHALL_OIDC_SIGNING_KEY`` (a PEM private key) overrides the key
directory's active key, e.g. when the key comes from a secret store.
"""

import os

GOVHALL_OIDC_ISSUER = os.environ.get("GOVHALL_OIDC_ISSUER", "")
GOVHALL_OIDC_KEY_DIR = os.environ.get("GOVHALL_OIDC_KEY_DIR") or None  # None: VAR_DIR / "oidc-keys"
