"""Settings for `make bench`: the project's own settings plus the two baseline views.

Everything else comes from the environment that `bench/run.py` sets
(`DJANGO_ENV=production`, a Redis cache, persistent database connections),
so the measured server is configured the way production is.
"""

from clinic.settings import *  # noqa: F403
from clinic.settings import VAR_DIR

ROOT_URLCONF = "bench.urls"
DEBUG = False
# collectstatic for the bench writes here, never into the developer's var/static.
STATIC_ROOT = VAR_DIR / "bench" / "static"
