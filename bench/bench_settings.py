"""Settings for the submission load test (bench/submit_load.py): the production profile, served over
plain HTTP on loopback (GOVHALL_SSL_REDIRECT=0 in the environment), plus one bench-only URL.

Production needs SECRET_KEY and GOVHALL_MASTER_KEY in the environment; submit_load.py sets both.
"""

from govhall.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
