"""Tandem's only settings module. Every value comes from an environment variable
(see docs/configuration.md and .env.example) read through ``tandem.conf.env``."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from django.utils.translation import gettext_lazy as _

from tandem.conf.env import (
    ConfigurationError,
    env_bool,
    env_int,
    env_list,
    env_path,
    env_str,
)

PACKAGE_DIR = Path(__file__).resolve().parent.parent

# --- data directory and secret key -------------------------------------------------
DATA_DIR = env_path("TANDEM_DATA_DIR", "./tandem-data")


def _secret_key() -> str:
    configured = env_str("TANDEM_SECRET_KEY")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # Written to a private temporary file and linked into place, which fails if another process (say, a
    # second gunicorn worker starting at the same moment) got there first: then everyone uses its key.
    key = secrets.token_urlsafe(64)
    temporary = DATA_DIR / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(key)
    try:
        os.link(temporary, key_file)
    except FileExistsError:
        key = key_file.read_text(encoding="utf-8").strip()
    finally:
        temporary.unlink()
    return key


SECRET_KEY = _secret_key()
DEBUG = env_bool("TANDEM_DEBUG", False)
HTTPS = env_bool("TANDEM_HTTPS", False)
ALLOWED_HOSTS = env_list("TANDEM_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("TANDEM_CSRF_TRUSTED_ORIGINS", [])
BASE_URL = env_str("TANDEM_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- applications --------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "huey.contrib.djhuey",
    "ninja",
    "tandem.core",
    "tandem.identity",
    "tandem.access",
    "tandem.audit",
    "tandem.customfields",
    "tandem.accounts",
    "tandem.contacts",
    "tandem.files",
    "tandem.timeline",
    "tandem.notifications",
    "tandem.meetings",
    "tandem.collaboration",
    "tandem.scheduling",
    "tandem.contracts",
    "tandem.pipeline",
    "tandem.renewals",
    "tandem.quotas",
    "tandem.tickets",
    "tandem.usage",
    "tandem.health",
    "tandem.search",
    "tandem.transfer",
    "tandem.api",
    "tandem.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tandem.web.middleware.UserLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tandem.identity.middleware.TwoFactorMiddleware",
    "tandem.web.middleware.UserTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tandem.web.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "tandem.conf.urls"
WSGI_APPLICATION = "tandem.conf.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tandem.web.context.navigation",
            ],
        },
    }
]

# --- database --------------------------------------------------------------------------


def _database(url: str) -> dict:
    if not url:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "tandem.sqlite3"),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
                ),
            },
            "TEST": {"NAME": str(DATA_DIR / "test-tandem.sqlite3")},
        }
    parsed = urlparse(url)
    if parsed.scheme in {"postgres", "postgresql", "pgsql"}:
        options = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")) or "tandem",
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": env_int("TANDEM_DB_CONN_MAX_AGE", 60, minimum=0),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path)
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path}
    raise ConfigurationError(
        f"DATABASE_URL must start with postgres:// or sqlite://, got scheme {parsed.scheme!r}"
    )


DATABASE_URL = env_str("DATABASE_URL")
DATABASES = {"default": _database(DATABASE_URL)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    INSTALLED_APPS.append("django.contrib.postgres")  # trigram lookups for typo-tolerant search
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- background jobs (Huey) -------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": env_str("TANDEM_JOBS_NAME", "tandem"),
        "url": REDIS_URL,
        "immediate": False,
        "utc": True,
        "consumer": {"workers": env_int("TANDEM_JOB_WORKERS", 2, minimum=1), "worker_type": "thread"},
    }
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "tandem",
        "filename": str(DATA_DIR / "jobs.sqlite3"),
        "immediate": False,
        "utc": True,
        "consumer": {"workers": env_int("TANDEM_JOB_WORKERS", 2, minimum=1), "worker_type": "thread"},
    }

# --- authentication ----------------------------------------------------------------------
AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = ["tandem.identity.backends.EmailBackend"]
LOGIN_URL = "identity:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "identity:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("TANDEM_PASSWORD_MIN_LENGTH", 10, minimum=8)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_MAX_FAILURES = env_int("TANDEM_LOGIN_MAX_FAILURES", 5, minimum=1)
LOGIN_LOCKOUT_MINUTES = env_int("TANDEM_LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

SESSION_COOKIE_AGE = env_int("TANDEM_SESSION_AGE_SECONDS", 60 * 60 * 24 * 14, minimum=300)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("TANDEM_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("TANDEM_HSTS_SECONDS", 31536000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_bool("TANDEM_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("TANDEM_BEHIND_PROXY", False) else None
)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
X_FRAME_OPTIONS = "DENY"

# --- internationalisation ------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("zh-hans", "简体中文"),
    ("ko", "한국어"),
    ("de", "Deutsch"),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_TIMEZONE = env_str("TANDEM_DEFAULT_TIMEZONE", "UTC")
WORKSPACE_CURRENCY = env_str("TANDEM_WORKSPACE_CURRENCY", "USD")
WORKSPACE_NAME = env_str("TANDEM_WORKSPACE_NAME", "Tandem")

# --- static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
FILE_STORAGE = env_str("TANDEM_FILE_STORAGE", "filesystem")
if FILE_STORAGE == "s3":  # S3-compatible storage; needs `pip install django-storages[s3]` (docs/configuration.md)
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("TANDEM_S3_BUCKET"),
            "endpoint_url": env_str("TANDEM_S3_ENDPOINT_URL") or None,
            "access_key": env_str("TANDEM_S3_ACCESS_KEY_ID"),
            "secret_key": env_str("TANDEM_S3_SECRET_ACCESS_KEY"),
            "region_name": env_str("TANDEM_S3_REGION") or None,
            "default_acl": None,
            "querystring_auth": True,
        },
    }
elif FILE_STORAGE == "filesystem":
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "files")},
    }
else:
    raise ConfigurationError(f"TANDEM_FILE_STORAGE must be filesystem or s3, got {FILE_STORAGE!r}")
FILE_MAX_BYTES = env_int("TANDEM_FILE_MAX_MB", 25, minimum=1) * 2**20
FILE_ALLOWED_SUFFIXES = {
    "." + suffix.lstrip(".").lower()
    for suffix in env_list("TANDEM_FILE_TYPES", [
        "pdf", "png", "jpg", "jpeg", "gif", "webp", "txt", "csv", "xlsx", "xls", "docx", "doc", "pptx", "ppt",
        "odt", "ods", "odp", "eml", "msg", "zip", "md", "json", "xml",
    ])
}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- email ---------------------------------------------------------------------------------


def _email(url: str) -> dict:
    if not url:
        return {"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "EMAIL_FILE_PATH": str(DATA_DIR / "outbox-mail")}
    parsed = urlparse(url)
    if parsed.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parsed.scheme == "file":
        return {"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "EMAIL_FILE_PATH": unquote(parsed.path)}
    if parsed.scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if parsed.scheme in {"smtp", "smtp+tls", "smtps"}:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parsed.hostname or "localhost",
            "EMAIL_PORT": parsed.port or (465 if parsed.scheme == "smtps" else 25),
            "EMAIL_HOST_USER": unquote(parsed.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
            "EMAIL_USE_TLS": parsed.scheme == "smtp+tls",
            "EMAIL_USE_SSL": parsed.scheme == "smtps",
            "EMAIL_TIMEOUT": 20,
        }
    raise ConfigurationError(
        f"EMAIL_URL must start with smtp://, smtp+tls://, smtps://, console:// or file://, "
        f"got scheme {parsed.scheme!r}"
    )


globals().update(_email(env_str("EMAIL_URL")))
DEFAULT_FROM_EMAIL = env_str("TANDEM_EMAIL_FROM", "Tandem <tandem@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- notifications (docs/notifications.md) ------------------------------------------------------
NOTIFY_MAX_ATTEMPTS = env_int("TANDEM_NOTIFY_MAX_ATTEMPTS", 8, minimum=1)
CHAT_TIMEOUT_SECONDS = env_int("TANDEM_CHAT_TIMEOUT_SECONDS", 10, minimum=1)
DIGEST_HOUR = env_int("TANDEM_DIGEST_HOUR", 8, minimum=0)
NOTIFY_POLL_SECONDS = env_int("TANDEM_NOTIFY_POLL_SECONDS", 30, minimum=1)
if DIGEST_HOUR > 23:
    raise ConfigurationError(f"TANDEM_DIGEST_HOUR must be an hour from 0 to 23, got {DIGEST_HOUR}")

# --- meetings and calendar sync (docs/meetings-and-calendar.md) -------------------------------------------
CALENDAR_SYNC_MINUTES = env_int("TANDEM_CALENDAR_SYNC_MINUTES", 15, minimum=1)

# --- product-usage events (docs/usage-events.md) -------------------------------------------------------------
# An event's timestamp may lie at most this far in the past or the future (the API rejects it per event).
EVENTS_MAX_PAST_DAYS = env_int("TANDEM_EVENTS_MAX_PAST_DAYS", 30, minimum=1)
EVENTS_MAX_FUTURE_MINUTES = env_int("TANDEM_EVENTS_MAX_FUTURE_MINUTES", 60, minimum=0)
# Raw events (and the per-user daily sets) older than this are deleted by a daily job; daily roll-ups stay.
EVENTS_RETENTION_DAYS = env_int("TANDEM_EVENTS_RETENTION_DAYS", 400, minimum=1)
EVENTS_MAX_BATCH = 1000  # events per POST /api/v1/events/batch

# --- support mail and the public web form (docs/support-email.md) ------------------------------------------------
# imaps://user:password@host:993/INBOX (or imap://… for plain IMAP on a trusted network); empty: no polling.
SUPPORT_IMAP_URL = env_str("TANDEM_SUPPORT_IMAP_URL")
SUPPORT_IMAP_MOVE_TO = env_str("TANDEM_SUPPORT_IMAP_MOVE_TO")  # folder processed mail is moved to ("" = stays)
SUPPORT_EMAIL = env_str("TANDEM_SUPPORT_EMAIL", DEFAULT_FROM_EMAIL)  # From of replies to customers
SUPPORT_UNKNOWN_SENDERS = env_str("TANDEM_SUPPORT_UNKNOWN_SENDERS", "create")
if SUPPORT_UNKNOWN_SENDERS not in ("create", "hold"):
    raise ConfigurationError(f"TANDEM_SUPPORT_UNKNOWN_SENDERS must be create or hold, got {SUPPORT_UNKNOWN_SENDERS!r}")
SUPPORT_MAIL_MAX_BYTES = env_int("TANDEM_SUPPORT_MAIL_MAX_MB", 25, minimum=1) * 2**20
SUPPORT_MAIL_PER_SENDER_HOUR = env_int("TANDEM_SUPPORT_MAIL_PER_SENDER_HOUR", 20, minimum=1)
SUPPORT_FORM_ENABLED = env_bool("TANDEM_SUPPORT_FORM_ENABLED", True)
SUPPORT_FORM_PER_HOUR = env_int("TANDEM_SUPPORT_FORM_PER_HOUR", 5, minimum=1)

# --- logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("TANDEM_LOG_LEVEL", "INFO")},
    # The huey logger gets its handler here, so the job consumer does not add its own at INFO (a line per job
    # run, twice, every minute). The consumer still says when it starts and stops; the scheduler does not
    # announce every periodic job it enqueues.
    "loggers": {"django.db.backends": {"level": "WARNING"},
                "huey": {"handlers": ["console"], "level": "WARNING", "propagate": False},
                "huey.consumer": {"level": "INFO"},
                "huey.consumer.Scheduler": {"level": "WARNING"}},
}

# --- API ----------------------------------------------------------------------------------------
API_TOKEN_SCOPES = {
    "accounts:read": _("Read accounts"),
    "accounts:write": _("Create, change and delete accounts"),
    "contacts:read": _("Read contacts"),
    "contacts:write": _("Create, change and delete contacts"),
    "activities:read": _("Read timeline activities"),
    "activities:write": _("Log, change and delete timeline activities"),
    "audit:read": _("Read the audit log"),
    "users:read": _("Read users, roles and teams"),
    "events:write": _("Send product-usage events"),
    "notifications:read": _("Read my notifications, notification preferences and follows"),
    "notifications:write": _("Mark notifications read, change notification preferences and follows"),
    "meetings:read": _("Read meetings, free slots and my calendar-sync status"),
    "meetings:write": _("Plan, change and cancel meetings; rotate my calendar feed; change my calendar sync"),
    "comments:read": _("Read comments"),
    "comments:write": _("Post, edit and delete comments"),
    "handoffs:read": _("Read handoffs and handoff templates"),
    "handoffs:write": _("Start, accept, decline and cancel handoffs; edit handoff templates"),
    "tasks:read": _("Read tasks"),
    "tasks:write": _("Create, change, complete and delete tasks"),
    "leads:read": _("Read leads and their calls"),
    "leads:write": _("Create, change, qualify and disqualify leads; log calls on leads"),
    "opportunities:read": _("Read opportunities, pipelines and the forecast"),
    "opportunities:write": _("Create, change, move and delete opportunities; edit pipeline stages"),
    "tickets:read": _("Read tickets, their replies and notes, queues, ticket load and reports"),
    "tickets:write": _("Open, change, reply to, escalate, assign and delete tickets"),
    "tickets:admin": _("Change ticket routing rules, SLA policies and business hours"),
    "catalog:read": _("Read products, price books and exchange rates"),
    "catalog:write": _("Change products, price books and exchange rates"),
    "subscriptions:read": _("Read subscriptions, their history and MRR"),
    "subscriptions:write": _("Create, amend, renew and cancel subscriptions"),
    "health:read": _("Read health scores, history, explanations, predictions, code red, scorecards, backtests"),
    "health:write": _("Override health scores, resolve code red and recompute an account"),
    "health:admin": _("Change health scorecards and the risk playbook, recompute every account, run the backtest"),
    "renewals:read": _("Read renewals (what ends soon), suggested prices and the renewal settings"),
    "renewals:write": _("Close renewals; change the renewal settings and run the renewal engine (administrators)"),
    "quotas:read": _("Read quotas and their attainment"),
    "quotas:write": _("Set, change and remove quotas"),
}
NINJA_PAGINATION_MAX_LIMIT = 200

# --- imports -------------------------------------------------------------------------------------
IMPORT_MAX_BYTES = env_int("TANDEM_IMPORT_MAX_MB", 512, minimum=1) * 2**20
# Large "valid rows" contact imports on PostgreSQL are written by this many processes (1: never in parallel).
IMPORT_WORKERS = env_int("TANDEM_IMPORT_WORKERS", 2, minimum=1)
IMPORT_PARALLEL_MIN_ROWS = env_int("TANDEM_IMPORT_PARALLEL_MIN_ROWS", 20_000, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 2**20
# The permission editor posts one field per role x resource x action (plus its original value): with every
# capability's resources that passes Django's default of 1,000.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 2**20
