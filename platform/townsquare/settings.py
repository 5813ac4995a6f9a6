"""The one settings module: every deploy-specific value comes from an environment variable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from townsquare.config import Env
from townsquare.sentry import sentry_init

env = Env()

BASE_DIR = Path(__file__).resolve().parents[2]
DATA_DIR = Path(env.string("DATA_DIR", str(BASE_DIR / ".data")))

DEBUG = env.boolean("DEBUG", False)
SECRET_KEY = env.string("SECRET_KEY", "insecure-development-key-only-for-debug" if DEBUG else None)

ROOT_DOMAIN = env.hostname("ROOT_DOMAIN", "localhost")
# DEBUG shows settings and code in error pages: never where the public can reach it.
_LOCAL_DOMAINS = ("localhost", "test", "internal", "example", "invalid")
if DEBUG and ROOT_DOMAIN.rsplit(".", 1)[-1] not in _LOCAL_DOMAINS:
    raise ImproperlyConfigured(
        f"DEBUG is on while ROOT_DOMAIN={ROOT_DOMAIN} is a public host name: unset DEBUG, or "
        "use a local ROOT_DOMAIN (localhost, *.test, *.internal) for development"
    )
# The central site answers on the root domain, each tenant on its subdomain and on the
# domains its organisation proved its own. Those are only known to the database, so the host
# is checked there (townsquare.middleware.TenantMiddleware): any other host gets a bare 404
# before anything reads the request, as Django's own check would give.
ALLOWED_HOSTS = ["*"]

HTTPS = env.boolean("HTTPS", False)
# The port in links we email (empty for the scheme's default); `make run` sets it to PORT.
PUBLIC_PORT = env.string("PUBLIC_PORT", "")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.integer("HSTS_SECONDS", 31536000, minimum=0)
    # Every tenant is a subdomain served over TLS, so the root domain may vouch for them all.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.boolean("HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env.boolean("HSTS_PRELOAD", True)
    # The proxy redirects too; this covers a request that reached the app another way.
    # Probes come over plain HTTP from inside the network and are never redirected.
    SECURE_SSL_REDIRECT = env.boolean("SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^tls-allowed$"]
# Cookies stay host-only (no *_COOKIE_DOMAIN): a session on one tenant's host is never
# sent to another's. CSRF checks the Origin against the request's own host, so no
# wildcard trusted origin is needed.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

SHARED_APPS = [
    # The admin, as the staff console that insists on two-factor sign-in. Listed before
    # django_tenants so Django's own admin templates win over django-tenants' overrides,
    # which use inline styles (forbidden by our CSP); no management command depends on it.
    "townsquare.staff_console.StaffConsoleConfig",
    "django_tenants",
    "tenants",
    "billing",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "accounts",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Personal access tokens: knox hashes them at rest; our api.ApiToken adds scope and use.
    "knox",
    "api",
    "townsquare",
]
# Tenant schemas get their own auth, sessions and content: a user exists in one tenant only.
TENANT_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "accounts",
    "allauth",
    "allauth.account",
    # Each schema has its own authenticators: tenant staff may add a second factor too.
    "allauth.mfa",
    "sitesettings",
    "moderation",
    "dialogues",
    "notifications",
    "privacy",
    "themes",
    "backoffice",
    "insights",
    "knox",
    "api",
    "api.webhooks",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_URLCONF = "townsquare.urls_public"
ROOT_URLCONF = "townsquare.urls_tenant"
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
# Migrating thousands of schemas is only quick in parallel; see the README.
TENANT_MULTIPROCESSING_MAX_PROCESSES = env.integer("MIGRATION_PROCESSES", 2, minimum=1)
TENANT_LIMIT_SET_CALLS = True

MIDDLEWARE = [
    # Outermost: every response, whoever returns it, leaves with the security headers.
    "townsquare.csp.BaselineHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "townsquare.health.HealthCheckMiddleware",
    # Before any lookup: a NUL character in the path, query or form gets a 400, never a 500.
    "townsquare.middleware.NulCharacterMiddleware",
    "townsquare.middleware.TenantMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Once the user is known: residents cannot post on a site that is read-only (unpaid).
    "billing.middleware.ReadOnlySiteMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so it handles the response before X-Frame-Options does: the theme preview may
    # then be framed by its own site.
    "townsquare.csp.ContentSecurityPolicyMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "townsquare.context_processors.site",
                "notifications.context_processors.unread",
                "sitesettings.context_processors.safety",
                "themes.context_processors.theme",
                "billing.context_processors.billing",
            ],
        },
    },
]

WSGI_APPLICATION = "townsquare.wsgi.application"

_database = env.database("DATABASE_URL")
# The password may come on its own (DATABASE_PASSWORD_FILE from a secret), out of the URL.
_database["PASSWORD"] = env.optional_string("DATABASE_PASSWORD") or _database.get("PASSWORD", "")
_database["ENGINE"] = "django_tenants.postgresql_backend"
_database["CONN_MAX_AGE"] = env.integer("DB_CONN_MAX_AGE", 60, minimum=0)
_database["CONN_HEALTH_CHECKS"] = True
_database.setdefault("OPTIONS", {})["connect_timeout"] = env.integer(
    "DB_CONNECT_TIMEOUT", 5, minimum=1
)
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

REDIS_URL = env.redis_url("REDIS_URL", password=env.optional_string("REDIS_PASSWORD"))
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # Every key carries the schema of the tenant it was written in.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.db"

CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_DEFAULT_QUEUE = env.string("CELERY_QUEUE", "townsquare")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BEAT_SCHEDULER = "townsquare.scheduler.ActiveTenantScheduler"
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Entries without "tenant_schemas" run once in every active tenant's schema.
    "dialogues-apply-schedule": {
        "task": "dialogues.tasks.dialogues_apply_schedule",
        "schedule": 60.0,
    },
    "privacy-retention-purge": {
        "task": "privacy.tasks.privacy_retention_purge",
        "schedule": crontab(hour=3, minute=30),
    },
    "tenants-demo-requests-purge": {
        "task": "tenants.tasks.demo_requests_purge_task",
        "schedule": crontab(hour=4, minute=0),
        # Demo requests live in the public schema, not in any tenant's.
        "tenant_schemas": ["public"],
    },
    "tenants-pool-refill": {
        "task": "tenants.tasks.pool_refill_task",
        "schedule": 60.0,
        "tenant_schemas": ["public"],
    },
    "tenants-domains-check": {
        "task": "tenants.tasks.domains_check_pending_task",
        "schedule": 600.0,
        "tenant_schemas": ["public"],
    },
    "tenants-signups-resume": {
        "task": "tenants.tasks.signups_resume_task",
        "schedule": 60.0,
        "tenant_schemas": ["public"],
    },
    "tenants-usage-count": {
        "task": "tenants.tasks.tenant_usage_count_task",
        "schedule": crontab(minute=15),
    },
    "notifications-email-digest": {
        "task": "notifications.tasks.notifications_email_digest",
        "schedule": crontab(hour=17, minute=0),
    },
    # Trials and unpaid sites: reminders, read-only, suspension; stranded Stripe events.
    # BILLING_SWEEP_SECONDS says how often (tests make it a second or two).
    "billing-sweep": {
        "task": "billing.tasks.billing_sweep_task",
        "schedule": float(env.integer("BILLING_SWEEP_SECONDS", 600, minimum=1)),
        "tenant_schemas": ["public"],
    },
    # Safeguarding alerts whose task message was lost (or a lead who can now be reached).
    "moderation-safeguarding-alerts-sweep": {
        "task": "moderation.tasks.safeguarding_alerts_sweep",
        "schedule": 300.0,
    },
    # Webhook deliveries whose task message was lost are sent again; old ones are pruned.
    "webhooks-sweep": {
        "task": "api.webhooks.tasks.webhooks_sweep",
        "schedule": 120.0,
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Residents sign in with the username they chose; the email is for verification,
# password resets and notifications only, and is never shown publicly.
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_USERNAME_MIN_LENGTH = 3
ACCOUNT_USERNAME_VALIDATORS = "accounts.validators.USERNAME_VALIDATORS"
ACCOUNT_PRESERVE_USERNAME_CASING = True
ACCOUNT_UNIQUE_EMAIL = True
# Signing in does not wait for the email; posting does, when the tenant requires it.
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
# Emailed confirmation keys and reset tokens open only on the tenant's site that sent them.
ALLAUTH_SETTING_GETTER = "accounts.tokens.allauth_setting"
# (A class path, not a secret.)
ACCOUNT_PASSWORD_RESET_TOKEN_GENERATOR = "accounts.tokens.TenantPasswordResetTokenGenerator"  # noqa: S105
# Sign-up, sign-in and reset limits (allauth counts in the tenant-prefixed cache).
# A failed sign-in's "key" is the username *from one address* (see the adapter): guessing
# is slowed where it comes from, and nobody elsewhere can lock a known username out.
ACCOUNT_RATE_LIMITS = {
    "signup": "10/h/ip",
    "login_failed": "10/m/ip,5/300s/key",
    "reset_password": "5/m/ip,3/10m/key",
}
RATELIMIT_IP_META_KEY = "townsquare.ratelimits.client_address"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Townsquare"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.string("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.string("STATIC_ROOT", str(DATA_DIR / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.string("MEDIA_ROOT", str(DATA_DIR / "media")))
# Uploaded files live under MEDIA_ROOT/<schema>/ and are served only on their tenant's host.
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
# Or in an S3-compatible bucket (MEDIA_STORAGE=s3), one prefix per schema, the bucket private:
# files are still served only through their tenant's own host.
MEDIA_STORAGE = env.choice("MEDIA_STORAGE", "local", ("local", "s3"))
MEDIA_S3_PREFIX = env.string("MEDIA_S3_PREFIX", "media/").lstrip("/")
if MEDIA_S3_PREFIX and not MEDIA_S3_PREFIX.endswith("/"):
    MEDIA_S3_PREFIX += "/"
_media: dict[str, Any] = {"BACKEND": "tenants.storage.TenantMediaStorage"}
if MEDIA_STORAGE == "s3":
    _media = {
        "BACKEND": "tenants.storage.TenantS3MediaStorage",
        "OPTIONS": {
            "bucket_name": env.string("MEDIA_S3_BUCKET"),
            "endpoint_url": env.optional_string("MEDIA_S3_ENDPOINT_URL"),
            "region_name": env.optional_string("MEDIA_S3_REGION"),
            "access_key": env.optional_string("AWS_ACCESS_KEY_ID"),
            "secret_key": env.optional_string("AWS_SECRET_ACCESS_KEY"),
            "default_acl": None,
            "querystring_auth": False,
            "file_overwrite": False,
        },
    }
STORAGES = {
    "default": _media,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_PERMISSIONS = 0o640

# Mail goes to EMAIL_HOST by SMTP. Without it, mail (urgent safeguarding alerts included)
# would only be printed, so start-up stops unless DEBUG is on or EMAIL_BACKEND=console says
# printing is wanted (`make run` and `make test` set that when EMAIL_HOST is unset).
_email_host = env.optional_string("EMAIL_HOST")
_email_backend = env.choice(
    "EMAIL_BACKEND", "smtp" if _email_host or not DEBUG else "console", ("smtp", "console")
)
if _email_backend == "smtp" and not _email_host:
    raise ImproperlyConfigured(
        "EMAIL_HOST is required to send mail (DEBUG is off, or EMAIL_BACKEND is smtp): set it "
        "to your SMTP server, or EMAIL_BACKEND=console to print mail (local use only)"
    )
EMAIL_BACKEND = f"django.core.mail.backends.{_email_backend}.EmailBackend"
EMAIL_HOST = _email_host or "localhost"
EMAIL_PORT = env.integer("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env.string("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.string("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.boolean("EMAIL_USE_TLS", True)
# Platform staff who hear about demo requests; contact details are purged this long after
# a request is closed (won or lost).
# Where custom domains' TXT records are looked up: the system's resolvers when unset.
DNS_NAMESERVERS = env.nameservers("DNS_NAMESERVERS")
STAFF_EMAILS = [e.strip() for e in env.string("STAFF_EMAILS", "").split(",") if e.strip()]
DEMO_RETENTION_DAYS = env.integer("DEMO_RETENTION_DAYS", 180, minimum=1)
# Provisioning: migrated spare schemas kept ready (0 turns the pool off), retries before a
# sign-up is rolled back, and how long a sign-up may go untouched before beat requeues it.
SPARE_SCHEMAS = env.integer("SPARE_SCHEMAS", 3, minimum=0)
PROVISIONING_RETRIES = env.integer("PROVISIONING_RETRIES", 3, minimum=0)
PROVISIONING_RETRY_SECONDS = env.integer("PROVISIONING_RETRY_SECONDS", 2, minimum=0)
PROVISIONING_STALE_SECONDS = env.integer("PROVISIONING_STALE_SECONDS", 120, minimum=1)
# Test-only fault injection: "step:mode,..." with mode raise, once or exit (see provisioning.py).
PROVISIONING_FAILPOINTS = env.mapping("PROVISIONING_FAILPOINTS", choices=("raise", "once", "exit"))
# Where tenant export archives are written; never under MEDIA_ROOT, which is served.
EXPORT_ROOT = Path(env.string("EXPORT_ROOT", str(DATA_DIR / "exports")))
DEFAULT_FROM_EMAIL = env.string("DEFAULT_FROM_EMAIL", f"Townsquare <no-reply@{ROOT_DOMAIN}>")
# Safeguarding alerts: a failed email to a lead is retried this many times, waiting
# RETRY_SECONDS, then twice as long each time (at most 15 minutes between tries).
SAFEGUARDING_ALERT_RETRIES = env.integer("SAFEGUARDING_ALERT_RETRIES", 10, minimum=0)
SAFEGUARDING_ALERT_RETRY_SECONDS = env.integer("SAFEGUARDING_ALERT_RETRY_SECONDS", 10, minimum=0)

# Billing. Without STRIPE_SECRET_KEY it is off: every site is a trial (or put on a plan by
# staff), and `make run` needs no keys. With it, the webhook secret is required too.
STRIPE_SECRET_KEY = env.optional_string("STRIPE_SECRET_KEY") or ""
STRIPE_WEBHOOK_SECRET = env.optional_string("STRIPE_WEBHOOK_SECRET") or ""
if STRIPE_SECRET_KEY and not STRIPE_WEBHOOK_SECRET:
    raise ImproperlyConfigured("STRIPE_WEBHOOK_SECRET is required when STRIPE_SECRET_KEY is set")
# Where the stripe library sends its calls; tests point it at their local fake Stripe.
STRIPE_API_BASE = env.url("STRIPE_API_BASE", "https://api.stripe.com")
# Where Checkout and the customer portal live (pages our forms redirect to); a local fake
# Stripe serves its own.
STRIPE_PAGE_ORIGINS = (
    ["https://checkout.stripe.com", "https://billing.stripe.com"]
    if STRIPE_API_BASE == "https://api.stripe.com"
    else ["/".join(STRIPE_API_BASE.split("/")[:3])]
)
# A plan's Stripe Price: by id when set here, else by the plan's lookup key (billing/plans.py).
STRIPE_PRICES = {
    plan: price
    for plan in ("community", "partnership")
    if (price := env.string(f"STRIPE_PRICE_{plan.upper()}", ""))
}
# Seconds a webhook's signed timestamp may differ from our clock (Stripe's default).
STRIPE_WEBHOOK_TOLERANCE = env.integer("STRIPE_WEBHOOK_TOLERANCE", 300, minimum=1)
# Stripe's events are a few kilobytes; anything far larger is refused unread.
STRIPE_WEBHOOK_MAX_BYTES = env.integer("STRIPE_WEBHOOK_MAX_BYTES", 262144, minimum=1024)
BILLING_TRIAL_DAYS = env.integer("BILLING_TRIAL_DAYS", 30, minimum=1)
# A failed renewal: this many days with a banner for staff before the site turns read-only.
BILLING_PAST_DUE_GRACE_DAYS = env.integer("BILLING_PAST_DUE_GRACE_DAYS", 7, minimum=0)
# Read-only (unpaid) for this many days, then suspended behind a holding page. Data is kept.
BILLING_SUSPEND_AFTER_DAYS = env.integer("BILLING_SUSPEND_AFTER_DAYS", 14, minimum=0)

# Personal access tokens (api.ApiToken): "tsq_" then 64 hex characters, stored as a SHA-512
# digest. Expiry is what the person chose when making one, never a library default.
KNOX_TOKEN_MODEL = "api.ApiToken"  # noqa: S105  (a model name, not a secret)
REST_KNOX = {
    "TOKEN_PREFIX": "tsq_",
    "AUTH_HEADER_PREFIX": "Bearer",
    "TOKEN_TTL": None,
    "AUTO_REFRESH": False,
}
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "api.schema.ProblemAwareSchema",
    "DEFAULT_PAGINATION_CLASS": "api.pagination.KeysetPagination",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    # Personal access tokens and the site's own session (with CSRF). Never HTTP Basic: it
    # would let anyone guess passwords past the sign-in limits and the second factor.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.PersonalAccessTokenAuthentication",
        "api.authentication.SiteSessionAuthentication",
    ],
    # JSON only: the browsable API's pages need inline styles, which our CSP forbids.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.BoundedJSONParser"],
    "EXCEPTION_HANDLER": "api.problems.problem_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.AnonymousRateThrottle",
        "api.throttling.AccountRateThrottle",
        "api.throttling.TokenRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.rate("API_ANON_RATE", "60/minute"),
        "user": env.rate("API_USER_RATE", "120/minute"),
        "token": env.rate("API_TOKEN_RATE", "120/minute"),
    },
}
API_MAX_BODY_BYTES = env.integer("API_MAX_BODY_BYTES", 65536, minimum=1024)
SPECTACULAR_SETTINGS = {
    "TITLE": "Townsquare API",
    "DESCRIPTION": (
        "Everything a resident or the organisation does on a Townsquare site. Served on each "
        "site's own host under /api/v1/. Sign in with the site's session (with its CSRF "
        "token) or a personal access token made under Account → API tokens "
        "(`Authorization: Bearer tsq_…`). Lists are paged by cursor (`next`/`previous`); "
        "every error is RFC 9457 problem details (`application/problem+json`)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Request and response bodies as separate components: read-only fields are not asked for.
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "NotificationKindEnum": "notifications.models.Notification.Kind",
        "PostKindEnum": [("idea", "idea"), ("comment", "comment")],
    },
}

# Outgoing webhooks (api/webhooks): tries per delivery, the first wait before a retry
# (doubling each time, at most an hour), failed deliveries in a row before an endpoint is
# paused, and seconds to connect and to wait for an answer.
WEBHOOK_MAX_ATTEMPTS = env.integer("WEBHOOK_MAX_ATTEMPTS", 8, minimum=1)
WEBHOOK_RETRY_SECONDS = env.integer("WEBHOOK_RETRY_SECONDS", 30, minimum=0)
WEBHOOK_PAUSE_AFTER = env.integer("WEBHOOK_PAUSE_AFTER", 5, minimum=1)
WEBHOOK_TIMEOUT_SECONDS = env.integer("WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1)
# Tests and local development only: plain http and loopback or private addresses allowed.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env.boolean("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False)

LOG_LEVEL = env.choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"redact_emails": {"()": "townsquare.logredact.RedactEmails"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_emails"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Request logs carry client addresses and paths with personal data; the proxy
        # in front (Caddy) logs what operations need, without them.
        "django.server": {"level": "WARNING"},
        # The stripe library logs every call's URL at INFO (customer ids in queries).
        "stripe": {"level": "WARNING"},
    },
}

SENTRY_DSN = env.optional_string("SENTRY_DSN")
sentry_init(
    dsn=SENTRY_DSN,
    environment=env.string("SENTRY_ENVIRONMENT", "development" if DEBUG else "production"),
    traces_sample_rate=env.number("SENTRY_TRACES_SAMPLE_RATE", 0.0, low=0.0, high=1.0),
)
