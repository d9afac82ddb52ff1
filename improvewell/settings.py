"""ImproveWell settings: one module, every value read from the environment.

`.env.example` documents each variable. Locally `make run` writes a `.env` with a
generated SECRET_KEY and DEBUG on; in production set the variables for real.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from improvewell.checks import key_errors

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# ENV_FILE lets tests and deployments point at another file (or /dev/null).
environ.Env.read_env(env.str("ENV_FILE", default=str(BASE_DIR / ".env")))

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
# Derives the link between an anonymous submitter and their ideas, pulse check-ins
# and notifications. Kept out of the database so that a dump alone cannot
# re-identify anyone; changing it cuts those links for good.
ANONYMITY_KEY = env.str("ANONYMITY_KEY", default="")
# Refused here, not only by `manage.py check`: gunicorn and Celery run no system checks.
if _key_errors := key_errors(secret_key=SECRET_KEY, anonymity_key=ANONYMITY_KEY, debug=DEBUG):
    raise ImproperlyConfigured(" ".join(f"{e.msg} {e.hint}" for e in _key_errors))

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Absolute links in emails (invitations, notifications).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.microsoft",
    "django_celery_beat",
    "django_htmx",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "improvewell",
    "accounts",
    "organisations",
    "ideas",
    "teams",
    "projects",
    "triage",
    "audit",
    "dashboards",
    "api",
    "webhooks",
    "privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "improvewell.http.PrivateCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "organisations.tenancy.OrganisationMiddleware",
    # After the tenant middleware: it needs request.membership.
    "organisations.middleware.TwoFactorMiddleware",
]

FORM_RENDERER = "improvewell.forms.NHSFormRenderer"
ROOT_URLCONF = "improvewell.urls"
WSGI_APPLICATION = "improvewell.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "improvewell.context_processors.site",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# Checked before each request reuses it, without a round trip (improvewell/postgresql).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The same backend, plus row-level security by organisation (improvewell/rls.py).
    DATABASES["default"]["ENGINE"] = "improvewell.postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "improvewell.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="improvewell"),
            # A Redis that hangs must not hang the pages that use the cache.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        },
        # Pages kept across members and their versions (improvewell/versions.py): a page
        # is rendered afresh rather than wait, so a Redis that hangs costs one short
        # timeout before the process leaves it alone for a while.
        "pages": {
            "BACKEND": "improvewell.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="improvewell"),
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        },
    }
else:
    # A real (per-process) cache, so that allauth's rate limits work locally too.
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages"},
    }

AUTH_USER_MODEL = "users.User"
# Django's and allauth's backends, reading the person of each request in one plain statement.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.ModelBackend",
    "accounts.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = env.list(
    "PASSWORD_HASHERS",
    default=[
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.ScryptPasswordHasher",
    ],
)

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: email is the login; verification is mandatory; no enumeration.
ACCOUNT_ADAPTER = "organisations.signup.AccountAdapter"
ACCOUNT_FORMS = {"signup": "organisations.signup.SignupForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[ImproveWell] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env.str(
    "ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="http" if DEBUG else "https"
)
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
# Whose address the rate limits above (and the session list) key on. Behind a reverse
# proxy every request comes from the proxy, so one bucket would lock everyone out.
# With N proxies of yours in front, each appending the address it saw, the client is
# the Nth X-Forwarded-For entry from the right; or name a header your proxy sets.
# By default no proxy is trusted: a client could otherwise choose its own address.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("ALLAUTH_TRUSTED_PROXY_COUNT", default=0)
if ALLAUTH_TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("ALLAUTH_TRUSTED_PROXY_COUNT must be 0 or more.")
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env.str("ALLAUTH_TRUSTED_CLIENT_IP_HEADER", default="") or None
# Single sign-on with Microsoft Entra ID (NHSmail), one app per organisation, set up by
# its admins (organisations/sso.py says who is let in and why; docs/deployment.md how
# to register the app). An address counts as verified only at a domain the signing-in
# organisation lists for sign-up; then an existing account with that verified address
# is connected instead of a second one created.
SOCIALACCOUNT_ADAPTER = "organisations.sso_adapter.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_PROVIDERS = {"microsoft": {"SCOPE": ["openid", "email", "profile", "User.Read"]}}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "ImproveWell"
USERSESSIONS_TRACK_ACTIVITY = False

# QI leads, organisation admins and platform admins must set up two-factor
# authentication before they reach privileged screens. Only a local demo may
# switch this off.
REQUIRE_MFA = env.bool("REQUIRE_MFA", default=True)
if not REQUIRE_MFA and not DEBUG:
    raise ImproperlyConfigured("REQUIRE_MFA may only be turned off with DEBUG on (a local demo).")

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="ImproveWell <noreply@improvewell.local>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Celery: the broker is REDIS_URL; without it tasks run eagerly in-process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# A broker that is down or hangs must not hold up the request that publishes. A refused
# connection fails at once; a Redis that accepts and never answers costs three socket
# timeouts (the publish, then the one retry's reconnection and publish, kept for a
# connection that failed once): about 1.5 s in all (tests/faults). What could
# not be queued is logged and sent later by the email catch-up (improvewell/mail.py).
# The worker's long-polling BRPOP is not subject to socket_timeout (kombu's event loop).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_timeout": 0.5,
    "socket_connect_timeout": 0.5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# Webhooks (docs/api.md#webhooks). Plain http to 127.0.0.1 or localhost only for local
# development and the tests; everywhere else an endpoint must use https.
WEBHOOKS_ALLOW_LOCAL = DEBUG
WEBHOOKS_TIMEOUT = 5  # seconds a receiver has to answer
# Waits before each retry (seconds): 1 min, 5 min, 30 min, 2 h, 5 h; then it has failed.
WEBHOOKS_RETRY_DELAYS = [60, 300, 1800, 7200, 18000]
# Failed deliveries in a row after which an endpoint is switched off and admins emailed.
WEBHOOKS_DISABLE_AFTER = 5

# Security headers. Behind TLS in production; the local demo runs on plain http.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
# Database sessions, read with their person in one plain statement (accounts/sessions.py).
SESSION_ENGINE = "accounts.sessions"
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# No CDN, no inline script: everything comes from our own static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # One line per task run is noise; failures are still logged.
        "celery.app.trace": {"level": "WARNING"},
    },
}

# The REST API (api/, docs/api.md): a personal access token or the web session (with
# CSRF); JSON only, errors as RFC 9457 problem details; the schema from drf-spectacular.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.tokens.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "api.problems.problem_details_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Cross-cutting behaviour every endpoint gets without code of its own (docs/api.md).
    "DEFAULT_FILTER_BACKENDS": ["api.ordering.OrderingFilter"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.CallerRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        # Per token, and per signed-in person: requests per second, min, hour or day.
        "read": env.str("API_READ_RATE", default="120/min"),
        "write": env.str("API_WRITE_RATE", default="30/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ImproveWell API",
    "DESCRIPTION": "Ideas, comments and supports of one organisation; see docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Problem details (api/problems.py) declared for every operation, in one place.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.problem_responses",
    ],
}
