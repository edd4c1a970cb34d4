"""Settings for workforce-wellbeing: one module, configured by environment variables.

A fresh checkout runs with no variables set (SQLite in WAL mode, DEBUG on,
e-mail printed to the console). Production sets ``DEBUG=0`` together with
``SECRET_KEY``, ``ALLOWED_HOSTS`` and ``DATABASE_URL``; ``python -m wellbeing
check --deploy`` is then clean (a test asserts it). See README "Configuration".
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from wellbeing.env import env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent  # the repository root
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", default=True)

_DEV_SECRET = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105
SECRET_KEY = env_secret("SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG=0 (or SECRET_KEY_FILE).")
# Earlier keys, kept while a rotation settles: sealed submissions and drafts still open.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_NAME = env_str("SITE_NAME", "Health Workforce Well-Being")
CONTACT_EMAIL = env_str("CONTACT_EMAIL", "wellbeing@example.org")
# Extra addresses (e.g. a shared inbox) that get every campaign staff notification.
STAFF_NOTIFICATION_EMAILS = env_list("STAFF_NOTIFICATION_EMAILS")

# Confidentiality: no report shows a group with fewer responses than this.
# Never below 3, whatever the deployment asks for.
MIN_GROUP_SIZE = env_int("MIN_GROUP_SIZE", 5, minimum=3)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",  # the database task backend: its queue table and `db_worker`
    "ninja",  # its static Swagger UI for /api/v1/docs (no CDN)
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "wellbeing.core",
    "wellbeing.accounts",
    "wellbeing.plan",
    "wellbeing.campaign",
    "wellbeing.surveys",
    "wellbeing.reports",
    "wellbeing.hub",
    "wellbeing.engage",
    "wellbeing.api",
    "wellbeing",  # the project package: what wires the apps together (the demo command)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "wellbeing.core.health.DatabaseUnavailableMiddleware",  # the 503 "please retry" page
    "wellbeing.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "wellbeing.accounts.middleware.PrivilegedSessionMiddleware",  # 2FA gate, idle timeout
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the locked-out page
]

ROOT_URLCONF = "wellbeing.urls"
WSGI_APPLICATION = "wellbeing.wsgi.application"
# What the home page shows of a feature app, named here because core imports none of them.
HOME_PAGE_CONTEXT = "wellbeing.plan.queries.home_page_context"

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
                "wellbeing.core.context_processors.site",
            ],
        },
    },
]


def _database(url: str) -> dict[str, object]:
    if not url:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
    config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        # WAL lets readers run beside the writer; IMMEDIATE takes the write lock
        # at BEGIN so two writers queue (busy timeout) instead of failing with
        # "database is locked" half-way through a transaction.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    else:
        config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASES = {"default": _database(env_str("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if env_str("REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("REDIS_URL"),
    }
# Public pages kept for visitors without a session (core/pagecache.py), apart from the
# default cache so a flood of addresses evicts pages, never rate-limit counts. Edits drop
# them at once; the timeout bounds what one process sees of another's edit without Redis.
CACHES["pages"] = {
    **CACHES["default"],
    "KEY_PREFIX": "pages",
    "TIMEOUT": env_int("PAGE_CACHE_SECONDS", 300, minimum=0),
}
if not env_str("REDIS_URL"):
    CACHES["pages"].update(LOCATION="pages", OPTIONS={"MAX_ENTRIES": 500})

TASKS = {
    "default": {
        # Tasks are queued in the database and run by `python -m wellbeing db_worker`
        # (`make run` starts one; docs/operations.md). The test suite sets TASKS_BACKEND
        # to django_tasks.backends.immediate.ImmediateBackend, which runs them in-process.
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Periodic tasks, enqueued by `python -m wellbeing scheduler` (wellbeing/schedule.py): name ->
# the dotted path of a task and when, either "every" so many seconds or "daily" at "HH:MM"
# in TIME_ZONE. Each due time is enqueued once, whatever the number of schedulers.
PERIODIC_TASKS = {
    "close-due-waves": {"task": "wellbeing.surveys.tasks.close_due_waves", "every": 60},
    "fill-survey-metrics": {
        "task": "wellbeing.campaign.tasks.fill_metrics_from_closed_waves",
        "every": 3600,
    },
    "campaign-reminders": {
        "task": "wellbeing.campaign.tasks.send_progress_reminders",
        "daily": "09:00",
    },
    "event-reminders": {"task": "wellbeing.engage.tasks.send_event_reminders", "every": 3600},
    "resume-newsletters": {
        "task": "wellbeing.engage.tasks.resume_stalled_newsletters",
        "every": 3600,
    },
    "import-uploads": {"task": "wellbeing.surveys.tasks.clear_import_uploads", "every": 3600},
    "free-text-retention": {"task": "wellbeing.surveys.tasks.expire_free_text", "daily": "03:30"},
    "invitation-purge": {
        "task": "wellbeing.surveys.tasks.purge_closed_wave_invitations",
        "daily": "03:45",
    },
    "prune-task-results": {"task": "wellbeing.schedule.prune_task_results", "daily": "04:15"},
}
# Finished task results are kept this many days (the prune-task-results job).
TASK_RESULTS_KEEP_DAYS = env_int("TASK_RESULTS_KEEP_DAYS", 7, minimum=1)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out sign-in before the password
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "core:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Staff and organization admins sign in with a second factor (TOTP, django-otp).
# On by default in production; `make run` (DEBUG=1) leaves it off unless asked (README).
WELLBEING_REQUIRE_2FA = env_bool("WELLBEING_REQUIRE_2FA", default=not DEBUG)
OTP_TOTP_ISSUER = SITE_NAME
# Nobody reads another person's TOTP secret or QR code in the admin (it also turns a
# missing device's admin page from a 500 into a 403).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# A privileged session (staff, organization admins) idle this long is signed out.
PRIVILEGED_IDLE_MINUTES = env_int("PRIVILEGED_IDLE_MINUTES", 30, minimum=1)
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)

# Sign-in throttling (django-axes): after AXES_FAILURE_LIMIT failures for one email
# from one address, that pair is locked out for the cool-off time.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)
# Public forms (hub suggestions, sign-on, updates, gallery, event registration) are
# limited per address by core/ratelimit.py.
RATE_LIMITS_ENABLED = env_bool("RATE_LIMITS_ENABLED", default=True)

LANGUAGE_CODE = "en"
# The respondent's path and the site chrome are translated; instrument wording
# stays in the language it was validated in (see docs/instruments.md).
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "src" / "wellbeing" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request otherwise
# Built by scripts/build_static.py from the npm packages (USWDS, htmx).
STATICFILES_DIRS = [BASE_DIR / "build" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "wellbeing.core.storage.StaticStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
# Largest artwork image accepted by the gallery (bytes); images are decoded and re-encoded.
ENGAGE_MAX_UPLOAD_BYTES = env_int("ENGAGE_MAX_UPLOAD_BYTES", 8 * 1024 * 1024, minimum=1024)
# Free-text survey answers are deleted this many months after their wave closed
# (`python -m wellbeing retention`, daily); 0 keeps them.
RETENTION_FREE_TEXT_MONTHS = env_int("RETENTION_FREE_TEXT_MONTHS", 24, minimum=0)
# The site's own address, for links in mail sent by background jobs (event reminders).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# WhiteNoise serves straight from the finders, so a deployment works with or
# without collectstatic; collectstatic is still recommended (docs/operations.md).
WHITENOISE_USE_FINDERS = True

DEFAULT_FROM_EMAIL = env_str(
    "DEFAULT_FROM_EMAIL", "Health Workforce Well-Being <noreply@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)

# Security. Development over plain HTTP keeps these off; DEBUG=0 turns them on.
SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=SECURE)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SESSION_COOKIE_HTTPONLY = True
# No script of ours reads the CSRF cookie (forms carry the token), so scripts may not either.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Load balancers probe the health check over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env_bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
