"""Settings for the CSSR platform.

One module for every environment. With no environment variables it runs the embedded default
(SQLite, the in-memory channel layer, a file-system Celery broker, e-mail on the console) with DEBUG
off; production differs only by environment variables (DATABASE_URL, REDIS_URL, SECRET_KEY, ...),
listed in docs/configuration.md.
"""

import os
import tempfile
from pathlib import Path
from secrets import token_urlsafe
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from cssr.admin_labels import translated_field_name

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CSSR_VAR_DIR", BASE_DIR / "var"))


def env(name, default=None):
    """The environment variable `name`, or `default` when it is unset or empty."""
    value = os.environ.get(name, "")
    return value if value != "" else default


def env_bool(name, default):
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=()):
    value = env(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def local_secret_key(path):
    """The secret key of a machine that was given none: made on first start and kept in `path` (mode
    0600), so the web server, the worker and every later start sign with the same key. Processes
    starting together agree: the first to link its file into place wins, the others read it."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, draft = tempfile.mkstemp(dir=path.parent, prefix=".secret-key-")  # mode 0600
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(token_urlsafe(50))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
    finally:
        os.unlink(draft)
    return path.read_text().strip()


def host_of(url):
    """The host of `url` as ALLOWED_HOSTS writes it (an IPv6 address in brackets)."""
    host = urlsplit(url).hostname or ""
    return f"[{host}]" if ":" in host else host


# Three ways to start, told apart by DJANGO_DEBUG:
# - unset: the embedded default (`make run`, the test suite). DEBUG is off, and what production must be
#   given is provided here: a secret key made once under VAR_DIR, the loopback hosts and SITE_URL's,
#   and, without REDIS_URL, the embedded cache, channel layer and broker;
# - `0`: production (docker-compose.yml). Start-up refuses without SECRET_KEY, ALLOWED_HOSTS, REDIS_URL;
# - `1`: development (`make dev`): Django's debug pages, static files read from the source folders.
DEBUG = env_bool("DJANGO_DEBUG", False)
CSSR_PRODUCTION = env("DJANGO_DEBUG") is not None and not DEBUG
REDIS_URL = env("REDIS_URL")
SECRET_KEY = env("SECRET_KEY")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
LOCAL_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if CSSR_PRODUCTION else list(dict.fromkeys([*LOCAL_HOSTS, host_of(SITE_URL)]))
)

if CSSR_PRODUCTION:
    missing = [
        name
        for name, value in (
            ("SECRET_KEY", SECRET_KEY),
            ("ALLOWED_HOSTS", ALLOWED_HOSTS),
            ("REDIS_URL", REDIS_URL),
        )
        if not value
    ]
    if missing:
        raise ImproperlyConfigured(
            "With DJANGO_DEBUG=0 (production) these environment variables are required: " + ", ".join(missing)
        )
if not SECRET_KEY:
    # Only the embedded default, development and the test suite get here; production refuses above.
    SECRET_KEY = local_secret_key(VAR_DIR / "secret_key")

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_ID = 1

INSTALLED_APPS = [
    "daphne",
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "guardian",
    "channels",
    "django_celery_beat",
    "csp",
    "accounts",
    "workgroups",
    "documents",
    "chat",
    "events",
]

MIDDLEWARE = [
    "cssr.middleware.PermissionsPolicyMiddleware",  # outermost: static files get the header too
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "cssr.middleware.PageGZipMiddleware",  # pages compressed; static files and downloads never pass here
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.sessions.SessionLifetimeMiddleware",  # idle and absolute session limits, device cookie
    "accounts.audit.AuditRequestMiddleware",  # the audit trail: where the actor of a recorded act is
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "accounts.middleware.UserTimezoneMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "accounts.middleware.CodeOfConductMiddleware",
]

ROOT_URLCONF = "cssr.urls"
WSGI_APPLICATION = "cssr.wsgi.application"
ASGI_APPLICATION = "cssr.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cssr.context_processors.shell",
            ],
        },
    },
]

# --- Data ------------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'cssr.sqlite3'}"),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env("DATABASE_POOL", "1") == "1":
    # A pool per process (psycopg_pool): the ASGI server runs every request and every chat frame's
    # database work in short-lived threads, and opening a PostgreSQL connection for each costs more
    # than the work itself. Pooling replaces persistent connections (DATABASE_CONN_MAX_AGE stays 0).
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(env("DATABASE_POOL_MIN", "2")),
        "max_size": int(env("DATABASE_POOL_MAX", "20")),
        "timeout": int(env("DATABASE_POOL_TIMEOUT", "10")),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the Celery worker read while the other writes.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "cssr"),
        }
    }
    # Redis pub/sub by default: a message to a conversation is published once and each ASGI process
    # hands it to its own sockets, where the list-based layer ("core") queues one copy per socket.
    # Nothing depends on the layer keeping a message: clients catch up from the database by id.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": {
                "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "core": "channels_redis.core.RedisChannelLayer",
            }[env("CHANNEL_LAYER", "pubsub")],
            "CONFIG": {"hosts": [REDIS_URL], "prefix": env("CHANNEL_LAYER_PREFIX", "cssr")},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# The liveness store (accounts/liveness.py) that every process must share, the web server and the
# Celery worker alike: Redis with REDIS_URL, else files under VAR_DIR (a read is a few microseconds).
CACHES["access"] = (
    {**CACHES["default"]}
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache" / "access"),
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", "cssr"),
        "OPTIONS": {"MAX_ENTRIES": 20000},
    }
)

# --- Celery ----------------------------------------------------------------------------------
CELERY_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DIR / "queue"),
        "data_folder_out": str(CELERY_DIR / "queue"),
        "processed_folder": str(CELERY_DIR / "processed"),
        "control_folder": str(CELERY_DIR / "control"),
        "store_processed": False,
    }
# Tasks act on the database and report by their effects there; nothing reads task results.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "accounts-expire-invitations": {"task": "accounts.tasks.expire_invitations", "schedule": 3600.0},
    "workgroups-inactivity": {"task": "workgroups.tasks.run_inactivity", "schedule": 900.0},
    "workgroups-digests": {"task": "workgroups.tasks.send_digests", "schedule": 900.0},
    "workgroups-outbox": {"task": "workgroups.tasks.send_outbox", "schedule": 60.0},
}

# --- Accounts --------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "workgroups:space-list"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_USER_DISPLAY = "accounts.models.user_display"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_FORMS = {"login": "accounts.forms.SignInForm"}  # its field is filled as a username
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_RATE_LIMITS = {
    # Every POST of the sign-in form, per address: thirty people on one Wi-Fi sign in within a minute.
    "login": "60/m/ip",
    # allauth counts wrong second-factor codes here (per address, and per account: only someone with the
    # password gets that far); wrong passwords are throttled by accounts/throttle.py (CSSR_SIGNIN_*).
    "login_failed": "30/15m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = "CSSR"
# Passkeys (WebAuthn): a second factor, and passwordless sign-in from the sign-in page. The relying
# party is SITE_URL's host (accounts/passkeys.py). fido2 2.x accepts http://localhost as the secure
# context browsers treat it as, so origins are verified everywhere: the insecure-origin switch, which
# would accept a credential from any origin, is never needed (browsers refuse WebAuthn on bare IPs).
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = False
MFA_ADAPTER = "accounts.passkeys.MFAAdapter"
MFA_FORMS = {
    # Codes typed in Arabic-Indic digits are accepted as the code they mean (accounts/forms.py).
    "authenticate": "accounts.forms.AuthenticateCodeForm",
    "reauthenticate": "accounts.forms.ReauthenticateCodeForm",
    "activate_totp": "accounts.forms.ActivateTOTPCodeForm",
    "add_webauthn": "accounts.passkeys.AddPasskeyForm",
    "edit_webauthn": "accounts.passkeys.RenamePasskeyForm",
    "authenticate_webauthn": "accounts.passkeys.AuthenticatePasskeyForm",
    "login_webauthn": "accounts.passkeys.LoginPasskeyForm",
    "reauthenticate_webauthn": "accounts.passkeys.ReauthenticatePasskeyForm",
}
# Sessions are listed (and can be ended) by their owner; last-seen times and IPs are not updated on
# every request: fewer writes, and less kept about where people at risk connect from.
USERSESSIONS_TRACK_ACTIVITY = False
# Who must sign in with a second factor, TOTP or a passkey (accounts/two_factor.py): staff, and anyone
# holding one of these roles in any space; CSSR_REQUIRE_MFA_FOR_EVERYONE asks it of every account.
# The former switch CSSR_STAFF_REQUIRE_MFA=0 still takes staff off the list.
CSSR_MFA_REQUIRED_ROLES = env_list(
    "CSSR_MFA_REQUIRED_ROLES", ["staff", "rapporteur", "technical_officer", "political_officer"]
)
if not env_bool("CSSR_STAFF_REQUIRE_MFA", True):
    CSSR_MFA_REQUIRED_ROLES = [role for role in CSSR_MFA_REQUIRED_ROLES if role != "staff"]
CSSR_REQUIRE_MFA_FOR_EVERYONE = env_bool("CSSR_REQUIRE_MFA_FOR_EVERYONE", False)
# Wrong passwords (accounts/throttle.py): from the 5th failure in a row an account waits 15 s, twice as
# long after each further failure, at most 5 minutes (not on its home networks, where it signed in
# within 30 days: those keep a count of their own); counts are forgotten after an hour without a
# failure. One address may fail 30 times in 10 minutes, across all accounts.
CSSR_SIGNIN_FAILURES_BEFORE_WAIT = int(env("CSSR_SIGNIN_FAILURES_BEFORE_WAIT", "5"))
CSSR_SIGNIN_BACKOFF_SECONDS = int(env("CSSR_SIGNIN_BACKOFF_SECONDS", "15"))
CSSR_SIGNIN_BACKOFF_MAX_SECONDS = int(env("CSSR_SIGNIN_BACKOFF_MAX_SECONDS", "300"))
CSSR_SIGNIN_FAILURE_MEMORY_SECONDS = int(env("CSSR_SIGNIN_FAILURE_MEMORY_SECONDS", "3600"))
CSSR_SIGNIN_HOME_NETWORK_DAYS = int(env("CSSR_SIGNIN_HOME_NETWORK_DAYS", "30"))
CSSR_SIGNIN_FAILURES_PER_ADDRESS = int(env("CSSR_SIGNIN_FAILURES_PER_ADDRESS", "30"))
CSSR_SIGNIN_ADDRESS_WINDOW_SECONDS = int(env("CSSR_SIGNIN_ADDRESS_WINDOW_SECONDS", "600"))
CSSR_INVITATION_DAYS = int(env("CSSR_INVITATION_DAYS", "7"))
# Roles the inactivity lockout leaves alone (the lockout applies to participants; officers are staff
# of the OSE).
CSSR_LOCKOUT_EXEMPT_ROLES = env_list(
    "CSSR_LOCKOUT_EXEMPT_ROLES", ["rapporteur", "technical_officer", "political_officer"]
)
# Display names nobody may take (accounts/names.py), compared as names are (Arabic spelling, case,
# spaces and punctuation folded): the platform, its team and the roles co-members trust, in both
# languages, and the label of an anonymised account. Operations staff may use them.
CSSR_RESERVED_DISPLAY_NAMES = env_list(
    "CSSR_RESERVED_DISPLAY_NAMES",
    [
        "CSSR",
        "Civil Society Support Room",
        "غرفة دعم المجتمع المدني",
        "Office of the Special Envoy",
        "مكتب المبعوث الخاص",
        "Special Envoy",
        "المبعوث الخاص",
        "Operations support",
        "Operations support team",
        "Operations staff",
        "الدعم التشغيلي",
        "فريق الدعم التشغيلي",
        "فريق الدعم",
        "Support team",
        "Technical officer",
        "المسؤول الفني",
        "Political officer",
        "المسؤول السياسي",
        "Rapporteur",
        "المقرر",
        "المقررة",
        "Moderator",
        "المشرف",
        "admin",
        "administrator",
        "المدير",
        "الإدارة",
        "staff",
        "system",
        "النظام",
        "Former member",
        "عضو سابق",
    ],
)
# E-mail is a weak channel for people at risk: digests hold counts and titles, never text, unless allowed.
CSSR_DIGEST_EXCERPTS = env_bool("CSSR_DIGEST_EXCERPTS", False)
# The outbox of job e-mails: a claimed row not marked sent after this many seconds is claimed again
# (its sender died); a row is tried this many times; sent rows are deleted after this many days.
CSSR_OUTBOX_CLAIM_TIMEOUT = int(env("CSSR_OUTBOX_CLAIM_TIMEOUT", "600"))
CSSR_OUTBOX_MAX_ATTEMPTS = int(env("CSSR_OUTBOX_MAX_ATTEMPTS", "10"))
CSSR_OUTBOX_KEEP_DAYS = int(env("CSSR_OUTBOX_KEEP_DAYS", "7"))
# Behind reverse proxies the client's address is taken from the header they set, counting this many
# proxies from the right (accounts/network.py); 0 = the socket's address. docker-compose.yml sets 1 for
# the web service: nginx (deploy/nginx.conf) replaces X-Forwarded-For with the address it saw.
CSSR_TRUSTED_PROXY_COUNT = int(env("CSSR_TRUSTED_PROXY_COUNT", "0"))
CSSR_CLIENT_IP_HEADER = "HTTP_" + env("CSSR_CLIENT_IP_HEADER", "X-Forwarded-For").upper().replace("-", "_")
GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None

# --- Sessions --------------------------------------------------------------------------------
# A session ends after CSSR_SESSION_IDLE_SECONDS without a request and CSSR_SESSION_MAX_SECONDS after
# the sign-in, whatever happens (accounts/sessions.py; the session store itself enforces both, so chat
# websockets obey them too). OWASP ASVS level 2 suggests 30 minutes idle and 12 hours absolute; idle is
# 2 hours here because participants write long texts on a phone between requests, and losing a draft
# to a sign-out costs more than it protects. A seized phone is the threat: the absolute 12 hours stays.
SESSION_ENGINE = "accounts.sessions"
CSSR_SESSION_IDLE_SECONDS = int(env("CSSR_SESSION_IDLE_SECONDS", str(2 * 3600)))
CSSR_SESSION_MAX_SECONDS = int(env("CSSR_SESSION_MAX_SECONDS", str(12 * 3600)))
# Changing the e-mail address, the password or two-factor settings asks for the password (or a second
# factor) again unless it was given within this many seconds.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
MFA_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = int(env("CSSR_REAUTHENTICATION_SECONDS", "300"))
# Addresses (truncated networks) in the audit trail and the sessions list are blanked after this many
# days; expired sessions and long-unseen devices are deleted by the same hourly job.
CSSR_METADATA_RETENTION_DAYS = int(env("CSSR_METADATA_RETENTION_DAYS", "30"))
CELERY_BEAT_SCHEDULE["accounts-forget-old-metadata"] = {
    "task": "accounts.tasks.forget_old_metadata",
    "schedule": 3600.0,
}

# Free-text answers of an anonymous questionnaire are shown (and exported) only once at least this
# many people wrote one: with fewer, whoever knows who answered could tell whose words they are.
CSSR_ANONYMOUS_TEXT_MIN_RESPONDENTS = int(env("CSSR_ANONYMOUS_TEXT_MIN_RESPONDENTS", "5"))

# --- Documents and the archive --------------------------------------------------------------
# Uploads are judged by their content (documents/filetypes.py), never by their name: the kinds
# accepted, the largest file, the most pixels an image may have (decompression bombs) and how much
# an office document may unpack to (zip bombs).
CSSR_UPLOAD_KINDS = env_list(
    "CSSR_UPLOAD_KINDS",
    ["pdf", "png", "jpeg", "webp", "gif", "docx", "xlsx", "pptx", "odt", "ods", "odp", "txt"],
)
CSSR_UPLOAD_MAX_BYTES = int(env("CSSR_UPLOAD_MAX_BYTES", str(20 * 1024 * 1024)))
CSSR_IMAGE_MAX_PIXELS = int(env("CSSR_IMAGE_MAX_PIXELS", str(40_000_000)))
CSSR_UPLOAD_MAX_UNZIPPED_BYTES = int(env("CSSR_UPLOAD_MAX_UNZIPPED_BYTES", str(200 * 1024 * 1024)))
# With CSSR_X_ACCEL_REDIRECT on, a permitted download is handed to nginx at this internal location
# (deploy/nginx.conf: `location /_protected/ { internal; alias <MEDIA_ROOT>/; }`).
CSSR_X_ACCEL_PREFIX = env("CSSR_X_ACCEL_PREFIX", "/_protected/")
CSSR_THUMBNAIL_PIXELS = int(env("CSSR_THUMBNAIL_PIXELS", "320"))

# --- Drafts and exports ---------------------------------------------------------------------

# --- Chat ------------------------------------------------------------------------------------
# Limits of the chat (docs/architecture.md, "Chat"): message length, websocket frame size, and the
# per-user rate.
CSSR_CHAT_MAX_MESSAGE_CHARS = int(env("CSSR_CHAT_MAX_MESSAGE_CHARS", "4000"))
CSSR_CHAT_MAX_FRAME_BYTES = int(env("CSSR_CHAT_MAX_FRAME_BYTES", "32768"))
CSSR_CHAT_RATE_MESSAGES = int(env("CSSR_CHAT_RATE_MESSAGES", "10"))
CSSR_CHAT_RATE_SECONDS = int(env("CSSR_CHAT_RATE_SECONDS", "10"))
CSSR_CHAT_PAGE_SIZE = int(env("CSSR_CHAT_PAGE_SIZE", "50"))
CSSR_CHAT_SINCE_LIMIT = int(env("CSSR_CHAT_SINCE_LIMIT", "200"))
CSSR_CHAT_POLL_SECONDS = int(env("CSSR_CHAT_POLL_SECONDS", "5"))
TEMPLATES[0]["OPTIONS"]["context_processors"].append("chat.context_processors.chat_unread")
if REDIS_URL:
    # redis-py 8 pools default to 100 connections and a 5 s read timeout, the channel layer's own blocking
    # read: under load, receives time out and group joins fail with "Too many connections".
    CHANNEL_LAYERS["default"]["CONFIG"]["hosts"] = [
        {
            "address": REDIS_URL,
            "socket_timeout": 30,
            "max_connections": int(env("CHANNEL_LAYER_MAX_CONNECTIONS", "2000")),
        }
    ]

# --- Events and calendars -------------------------------------------------------------------
# Reminders go out this many minutes before an event (comma-separated; default a day and an hour).
CSSR_EVENT_REMINDER_LEADS = [int(value) for value in env_list("CSSR_EVENT_REMINDER_LEADS", ["1440", "60"])]
# The "join the meeting" button shows this many minutes before the start, until the end.
CSSR_EVENT_JOIN_EARLY_MINUTES = int(env("CSSR_EVENT_JOIN_EARLY_MINUTES", "15"))
# How far back a personal calendar feed reaches (upcoming events are always in it).
CSSR_CALENDAR_FEED_PAST_DAYS = int(env("CSSR_CALENDAR_FEED_PAST_DAYS", "90"))
CELERY_BEAT_SCHEDULE["events-reminders"] = {"task": "events.tasks.send_event_reminders", "schedule": 300.0}

# --- Questionnaires --------------------------------------------------------------------------
CSSR_QUESTIONNAIRE_SHORT_TEXT_LIMIT = int(env("CSSR_QUESTIONNAIRE_SHORT_TEXT_LIMIT", "300"))
CSSR_QUESTIONNAIRE_LONG_TEXT_LIMIT = int(env("CSSR_QUESTIONNAIRE_LONG_TEXT_LIMIT", "2000"))

# --- Internationalisation --------------------------------------------------------------------
LANGUAGE_CODE = "ar"
LANGUAGES = [("ar", _("Arabic")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "cssr_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
CSSR_DEFAULT_TIME_ZONE = "Asia/Damascus"
FORMAT_MODULE_PATH = ["cssr.formats"]
MODELTRANSLATION_DEFAULT_LANGUAGE = "ar"
MODELTRANSLATION_LANGUAGES = ("ar", "en")
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("ar", "en")}
MODELTRANSLATION_BUILD_LOCALIZED_VERBOSE_NAME = translated_field_name  # «الاسم (بالعربية)», not «الاسم [ar]»

# --- Static files and media ------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/protected-media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 365 * 24 * 3600
CSSR_X_ACCEL_REDIRECT = env_bool("CSSR_X_ACCEL_REDIRECT", False)

# --- E-mail ----------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "CSSR <no-reply@cssr.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security ---------------------------------------------------------------------------------
# Production is served over HTTPS only; the embedded default speaks plain HTTP on loopback, where
# secure cookies would not come back, unless SITE_URL says https.
SECURE_COOKIES = env_bool("SECURE_COOKIES", CSSR_PRODUCTION or SITE_URL.startswith("https://"))
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(env("SESSION_COOKIE_AGE", str(14 * 24 * 3600)))
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", str(365 * 24 * 3600) if CSSR_PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Asking for the browsers' preload list binds every subdomain of the domain for good: the domain's
# owner decides that (SECURE_HSTS_PRELOAD=1), so Django's reminder of it is silenced until they do.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
# Behind the TLS proxy, production sends plain-HTTP requests to HTTPS, except the health checks that
# the containers' own probes send to the server directly (docker-compose.yml).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", CSSR_PRODUCTION and BEHIND_TLS_PROXY)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "cssr.views.csrf_failure"
# Permissions-Policy (cssr/middleware.py): the browser features no page uses are off, for the
# platform and anything it would embed; passkeys (WebAuthn) stay on for the platform's own pages.
CSSR_PERMISSIONS_POLICY = {
    **dict.fromkeys(
        [
            "accelerometer",
            "autoplay",
            "browsing-topics",
            "camera",
            "clipboard-read",
            "compute-pressure",
            "display-capture",
            "encrypted-media",
            "gamepad",
            "geolocation",
            "gyroscope",
            "hid",
            "identity-credentials-get",
            "idle-detection",
            "interest-cohort",
            "local-fonts",
            "magnetometer",
            "microphone",
            "midi",
            "otp-credentials",
            "payment",
            "picture-in-picture",
            "screen-wake-lock",
            "serial",
            "usb",
            "window-management",
            "xr-spatial-tracking",
        ],
        (),
    ),
    "publickey-credentials-create": ("self",),
    "publickey-credentials-get": ("self",),
}
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
