"""The test suite: the monolith on the machine's PostgreSQL unless DATABASE_URL says otherwise.

``DATABASE_URL=sqlite:///... make test`` gives a quick local loop; tests that need
PostgreSQL, RabbitMQ or other servers skip there (and fail under CI=true).
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tourism")
os.environ.setdefault("SERVICE_TOKEN", "test-service-token")
os.environ.setdefault("EMAIL_URL", "consolemail://")
# No rate limits, for this process and the servers tests start: tests of the limits set
# their own rates.
os.environ.setdefault("THROTTLE_RATES", "off")

from .monolith import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SECURE_SSL_REDIRECT = False
