"""Django settings for paperfeed; every value comes from the environment (see .env.example)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
import django_stubs_ext

from paperfeed.digests.smtpurl import SmtpConfig, SmtpUrlError, smtp_url_parse
from paperfeed.env import (
    SettingError,
    envbool,
    envchoice,
    envcron,
    envfloat,
    envint,
    envlist,
    envstr,
    envzone,
    paperfeed_home,
    secret_key_file,
)
from paperfeed.lib.allowlist import AllowList, allowlist_parse

# Generic classes the type checker reads (`admin.ModelAdmin[Paper]`, `QuerySet[Paper]`) can be
# subscripted at run time too.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent
HOME = paperfeed_home()

DEBUG = envbool("PAPERFEED_DEBUG", False)
SECRET_KEY = envstr("PAPERFEED_SECRET_KEY", "")
if not SECRET_KEY:
    # A per-installation key kept under PAPERFEED_HOME, so sessions survive restarts without
    # anyone having to configure one for a local run.
    SECRET_KEY = secret_key_file(HOME / "secret_key")

ALLOWED_HOSTS = envlist(
    "PAPERFEED_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = envlist("PAPERFEED_CSRF_TRUSTED_ORIGINS", [])
SITE_NAME = envstr("PAPERFEED_SITE_NAME", "paperfeed")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # only for its static files and templates: /api/docs is served from here, no CDN
    "paperfeed.papers",
    "paperfeed.links",
    "paperfeed.accounts",
    "paperfeed.collections",
    "paperfeed.community",
    "paperfeed.search",
    "paperfeed.authors",
    "paperfeed.recommend",
    "paperfeed.alerts",
    "paperfeed.digests",
    "paperfeed.api",
    "paperfeed.web",
    "paperfeed.ops",
]

MIDDLEWARE = [
    # HEAD wherever GET answers (django-ninja's routes would answer 405), without a body.
    "paperfeed.web.middleware.HeadMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # django-csp: the Content-Security-Policy header (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into a 429 response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "paperfeed.urls"
WSGI_APPLICATION = "paperfeed.wsgi.application"

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
                "paperfeed.web.context.site",
            ],
        },
    },
]


SQLITE_OPTIONS = {
    # WAL lets readers (the web server) proceed while an import writes; IMMEDIATE takes the
    # write lock at BEGIN so concurrent writers wait instead of failing mid-transaction.
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
    "init_command": (
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA busy_timeout=30000;"
        "PRAGMA foreign_keys=ON;"
        "PRAGMA cache_size=-65536;"
        "PRAGMA temp_store=MEMORY;"
    ),
}


PG_CONNECT_TIMEOUT = 5  # seconds


def _database() -> dict[str, object]:
    url = envstr("DATABASE_URL", "")
    if url:
        try:
            config = dj_database_url.parse(url, conn_max_age=600, conn_health_checks=True)
        except Exception as exc:  # dj_database_url raises several kinds for a bad URL
            raise SettingError(f"DATABASE_URL={url!r} is not a database URL: {exc}") from None
        if config["ENGINE"] == "django.db.backends.sqlite3":
            config["OPTIONS"] = {**SQLITE_OPTIONS, **(config.get("OPTIONS") or {})}
        elif "postgresql" in config["ENGINE"]:
            # A database host that drops packets would hold each request for the kernel's TCP
            # timeout (minutes) before its 503; `?connect_timeout=N` in the URL overrides this.
            config["OPTIONS"] = {
                "connect_timeout": PG_CONNECT_TIMEOUT,
                **(config.get("OPTIONS") or {}),
            }
        return dict(config)
    HOME.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(HOME / "paperfeed.db"),
        "OPTIONS": SQLITE_OPTIONS,
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Per-process caches (nothing to run beside the server). "default" is Django's own default: the
# pages anonymous visitors share for a few seconds (accounts.http.anonymous_cache). "search"
# keeps small answers derived from one version of the search indexes (a paper's similar papers,
# ~0.5 KB each), keyed by that version; its own store so that pages never push them out.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "search": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "search",
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The login rate limiter first: it refuses attempts from a locked-out username and address
# before the password is checked (see "community and accounts" below).
AUTHENTICATION_BACKENDS = [
    "paperfeed.accounts.backends.LoginRateLimitBackend",
    "django.contrib.auth.backends.ModelBackend",
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = envzone("PAPERFEED_TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = HOME / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise serves from it once collected
# Hashed, compressed, far-future-cached file names once `collectstatic` has run (`paperfeed serve`
# runs it before starting); plain names before that, e.g. in tests.
_MANIFEST = (STATIC_ROOT / "staticfiles.json").exists() and not DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if _MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True  # serve static files even before collectstatic (tests, make run)
WHITENOISE_MANIFEST_STRICT = False


def _email_backend(url: str) -> tuple[str, SmtpConfig | None]:
    if not url:
        return "paperfeed.digests.outbox.EmailBackend", None
    try:
        smtp = smtp_url_parse(url)
    except SmtpUrlError as exc:
        raise SettingError(f"PAPERFEED_SMTP_URL: {exc}") from None
    return "django.core.mail.backends.smtp.EmailBackend", smtp


# Email: SMTP when PAPERFEED_SMTP_URL is set (paperfeed/digests/smtpurl.py), else one .eml file
# per message in PAPERFEED_HOME/outbox, so that a local run needs no mail server.
EMAIL_FILE_PATH = HOME / "outbox"
DEFAULT_FROM_EMAIL = envstr("PAPERFEED_FROM_EMAIL", "paperfeed <paperfeed@localhost>")
EMAIL_BACKEND, EMAIL_SMTP = _email_backend(envstr("PAPERFEED_SMTP_URL", ""))

# Sources: overridable so that air-gapped mirrors and tests can point elsewhere.
ARXIV_API_URL = envstr("PAPERFEED_ARXIV_API_URL", "https://export.arxiv.org/api/query")
ARXIV_OAI_URL = envstr("PAPERFEED_ARXIV_OAI_URL", "https://oaipmh.arxiv.org/oai")
HF_DAILY_PAPERS_URL = envstr(
    "PAPERFEED_HF_DAILY_PAPERS_URL", "https://huggingface.co/api/daily_papers"
)
ARXIV_API_DELAY = float(envint("PAPERFEED_ARXIV_API_DELAY_MS", 3000, minimum=0)) / 1000
INGEST_BATCH_SIZE = envint("PAPERFEED_INGEST_BATCH_SIZE", 2000, minimum=1)

# Search: derived indexes under PAPERFEED_HOME/index, rebuildable from the database.
SEARCH_INDEX_DIR = HOME / "index"
SEARCH_MODELS_DIR = HOME / "models"  # exported (ONNX) copies of the embedding model
EMBEDDING_MODEL = envstr("PAPERFEED_EMBEDDING_MODEL", "all-MiniLM-L6-v2")
EMBEDDING_BACKEND = envstr("PAPERFEED_EMBEDDING_BACKEND", "auto")  # auto, onnx or torch
EMBEDDING_BATCH_SIZE = envint("PAPERFEED_EMBEDDING_BATCH_SIZE", 256, minimum=1)
# Hybrid ranking (search/hybrid.py): "zscore" adds the weighted z-scores of BM25 and cosine over
# the candidates; "rrf" adds weight / (k + rank) over the two lists.
SEARCH_FUSION = envchoice("PAPERFEED_SEARCH_FUSION", "zscore", ("zscore", "rrf"))
SEARCH_RRF_K = envint("PAPERFEED_SEARCH_RRF_K", 60, minimum=1)
SEARCH_KEYWORD_WEIGHT = envfloat("PAPERFEED_SEARCH_KEYWORD_WEIGHT", 1.0, minimum=0.0)
SEARCH_SEMANTIC_WEIGHT = envfloat("PAPERFEED_SEARCH_SEMANTIC_WEIGHT", 1.0, minimum=0.0)

# community and accounts
# A submitted paper must have been first published at most this many days ago.
PAPERFEED_SUBMIT_MAX_AGE_DAYS = envint("PAPERFEED_SUBMIT_MAX_AGE_DAYS", 14, minimum=0)
# Trending: a vote's weight halves every this many hours (see docs/trending.md); after changing
# it, run `paperfeed rebuild_trending`.
PAPERFEED_TRENDING_HALF_LIFE_HOURS = envfloat(
    "PAPERFEED_TRENDING_HALF_LIFE_HOURS", 48.0, minimum=0.1
)
# Login rate limiting (django-axes, stored in the database so that every server process and
# host shares it): after this many failed logins for one username from one address, further
# attempts are refused for the cool-off period.
AXES_FAILURE_LIMIT = envint("PAPERFEED_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=envint("PAPERFEED_LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_VERBOSE = False
# The client's address is REMOTE_ADDR, unless paperfeed runs behind this many reverse proxies
# that append to X-Forwarded-For (a header anyone can forge when no proxy of ours sets it).
PAPERFEED_TRUSTED_PROXIES = envint("PAPERFEED_TRUSTED_PROXIES", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "paperfeed.accounts.backends.client_ip"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("PAPERFEED_LOG_LEVEL", "WARNING")},
}

# web
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "index"
LOGOUT_REDIRECT_URL = "index"
# A locked-out login (django-axes) gets the login page again, saying why and for how long.
AXES_LOCKOUT_CALLABLE = "paperfeed.web.views.accounts.locked_out"

# digests
if EMAIL_SMTP is not None:  # Django's own mail (password resets) uses the same server
    EMAIL_HOST, EMAIL_PORT = EMAIL_SMTP.host, EMAIL_SMTP.port
    EMAIL_HOST_USER, EMAIL_HOST_PASSWORD = EMAIL_SMTP.user, EMAIL_SMTP.password
    EMAIL_USE_TLS, EMAIL_USE_SSL, EMAIL_TIMEOUT = (
        EMAIL_SMTP.use_tls, EMAIL_SMTP.use_ssl, EMAIL_SMTP.timeout
    )  # fmt: skip
# The public address of the site, for the links in emails (no trailing slash).
SITE_URL = envstr("PAPERFEED_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Messages per second per sender (0: as fast as the server takes them).
DIGEST_RATE = envfloat("PAPERFEED_DIGEST_RATE", 0.0, minimum=0.0)
# Attempts per message on transient failures (4xx replies, dropped connections), waiting
# DIGEST_BACKOFF_SECONDS, then twice as long, and so on, between them.
DIGEST_MAX_ATTEMPTS = envint("PAPERFEED_DIGEST_MAX_ATTEMPTS", 5, minimum=1)
DIGEST_BACKOFF_SECONDS = envfloat("PAPERFEED_DIGEST_BACKOFF_SECONDS", 30.0, minimum=0.0)
# An address is no longer mailed after this many hard bounces (5xx) in a row.
DIGEST_MAX_BOUNCES = envint("PAPERFEED_DIGEST_MAX_BOUNCES", 3, minimum=1)
# Daily digests on weekdays only (no edition for a Saturday or a Sunday).
DIGEST_WEEKDAYS_ONLY = envbool("PAPERFEED_DIGEST_WEEKDAYS_ONLY", False)
# An edition with no papers is not sent.
DIGEST_SKIP_EMPTY = envbool("PAPERFEED_DIGEST_SKIP_EMPTY", True)
# How long a confirmation link works.
DIGEST_CONFIRM_DAYS = envint("PAPERFEED_DIGEST_CONFIRM_DAYS", 7, minimum=1)
# A sender's claim on a batch of deliveries lapses after this long (a sender on another host
# that died); a sender on the same host that was killed is noticed at once.
DIGEST_LEASE_SECONDS = envint("PAPERFEED_DIGEST_LEASE_SECONDS", 300, minimum=10)

# api
# Rate limits (requests a minute), each counted per token or user and per client address, in
# the database so that every server process shares them (see docs/api.md).
API_WRITE_RATE = envint("PAPERFEED_API_WRITE_RATE", 60, minimum=1)
API_SEARCH_RATE = envint("PAPERFEED_API_SEARCH_RATE", 120, minimum=1)
# Anonymous daily and trending lists are answered from a per-process cache for this long.
API_CACHE_SECONDS = envint("PAPERFEED_API_CACHE_SECONDS", 5, minimum=0)
# Problem details for every error under /api/, unknown paths and wrong methods included.
MIDDLEWARE = [*MIDDLEWARE, "paperfeed.api.middleware.ApiProblemMiddleware"]

# security (docs/web.md, "Security")
# PAPERFEED_HTTPS=true: the site is served over HTTPS only, behind a proxy that terminates TLS
# and sets X-Forwarded-Proto (and strips any X-Forwarded-Proto a client sends).
HTTPS = envbool("PAPERFEED_HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
# Probes and scrapers often speak plain HTTP inside the network; they are not redirected.
SECURE_REDIRECT_EXEMPT = [r"^(healthz|readyz|metrics)/?$"]
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# Asking to be on browsers' preload lists is the site owner's decision (and hard to undo), so
# it is off by default and Django's reminder about it (security.W021) is silenced.
SECURE_HSTS_PRELOAD = HTTPS and envbool("PAPERFEED_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
# Secure defaults that need no HTTPS (most are Django's defaults, written out on purpose).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
# Content-Security-Policy (django-csp): scripts, styles and everything else from this site's
# own files only; no inline scripts or styles (templates have none), no framing, no plugins.
# Django's admin needs no exception: its scripts are files, and the pages paperfeed uses load
# without violations (tests/e2e/test_csp.py); its one inline <style>, in change lists without
# bulk actions (none here), only sets a column's width. The staff digest preview, an email
# with inlined CSS, allows inline styles for itself (@csp_update in web/views/digests.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
# Request bodies: a form or JSON body holds at most 2.5 MB (Django's default); a file upload
# (the BibTeX import, at most 2 MB itself) at most MAX_UPLOAD_BYTES in all. Larger: 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 10
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # larger uploads are spooled to a temporary file
MAX_UPLOAD_BYTES = envint("PAPERFEED_MAX_UPLOAD_BYTES", 4_194_304, minimum=1024)
# After the API's problem middleware, so that a refused API request gets problem details.
MIDDLEWARE = [*MIDDLEWARE, "paperfeed.web.middleware.RequestSizeLimitMiddleware"]
# Rate limits on the website's actions, counted in the database (paperfeed/accounts/ratelimit.py):
# sign-ups per client address an hour; comments per user a minute (the API's included);
# subscription requests per client address an hour, and confirmation emails an hour to one
# address, whoever asks (counted by the digests service as it mails).
SIGNUP_RATE = envint("PAPERFEED_SIGNUP_RATE", 10, minimum=1)
COMMENT_RATE = envint("PAPERFEED_COMMENT_RATE", 10, minimum=1)
SUBSCRIBE_RATE = envint("PAPERFEED_SUBSCRIBE_RATE", 10, minimum=1)
SUBSCRIBE_RECIPIENT_RATE = envint("PAPERFEED_SUBSCRIBE_RECIPIENT_RATE", 3, minimum=1)

# health and metrics (paperfeed/ops: /healthz, /readyz, /metrics)
# First, so that the request histogram times the whole stack, static files included.
MIDDLEWARE = ["paperfeed.ops.middleware.RequestMetricsMiddleware", *MIDDLEWARE]
# /readyz reports a worker heartbeat older than this many seconds as stale (never as not ready).
READY_MAX_WORKER_AGE = envint("PAPERFEED_READY_MAX_WORKER_AGE", 300, minimum=1)


def _metrics_allow(name: str) -> AllowList:
    try:
        return allowlist_parse(envlist(name, ["127.0.0.1", "::1"]))
    except ValueError as exc:
        raise SettingError(f"{name}: {exc}") from None


# Who may read /metrics: IP addresses, networks (10.0.0.0/8) and token:SECRET entries (a request
# with "Authorization: Bearer SECRET"), comma-separated; others get a 403.
METRICS_ALLOW = _metrics_allow("PAPERFEED_METRICS_ALLOW")

# recommendations
# A reader's model learns from at most this many of their most recent library papers and
# upvotes, against this many papers sampled from the most recently stored ones.
RECOMMEND_MAX_POSITIVES = envint("PAPERFEED_RECOMMEND_MAX_POSITIVES", 500, minimum=1)
RECOMMEND_BACKGROUND = envint("PAPERFEED_RECOMMEND_BACKGROUND", 5000, minimum=100)
# Papers named in an import (ids, BibTeX) that the catalog lacks are fetched from the arXiv API,
# at most this many per import (0: never; they are then reported as not in the catalog).
RECOMMEND_IMPORT_FETCH = envint("PAPERFEED_RECOMMEND_IMPORT_FETCH", 100, minimum=0)

# the worker (paperfeed/ops, docs/architecture.md "The worker")
# Queued background work (confirmation emails, an import's missing papers, embedding a submitted
# paper) goes through django-tasks' database backend, run by `paperfeed worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Schedules are cron expressions (minute hour day-of-month month day-of-week, 0 = Sunday).
# arXiv announces new papers at 20:00 US Eastern, Sunday to Thursday; the harvest runs half an
# hour later, over OAI-PMH, for these sets.
ARXIV_SETS = envlist("PAPERFEED_ARXIV_SETS", ["cs"])
HARVEST_SCHEDULE = envcron("PAPERFEED_HARVEST_SCHEDULE", "30 20 * * 0-4")
HARVEST_FORMAT = envchoice("PAPERFEED_HARVEST_FORMAT", "arXiv", ("arXiv", "arXivRaw", "oai_dc"))
HARVEST_TIME_ZONE = envzone("PAPERFEED_HARVEST_TIME_ZONE", "America/New_York")
# A site that has never harvested starts this many announcement days back, not from the past.
HARVEST_FIRST_DAYS = envint("PAPERFEED_HARVEST_FIRST_DAYS", 1, minimum=1)
# Hugging Face Daily Papers, imported through the day (off by default: it is another site).
HF_DAILY = envbool("PAPERFEED_HF_DAILY", False)
HF_DAILY_SCHEDULE = envcron("PAPERFEED_HF_DAILY_SCHEDULE", "10 * * * *")
# Embeddings (stored in the database, once for the site) and each host's own indexes follow new
# papers on this schedule; both do nothing when nothing changed.
INDEX_SCHEDULE = envcron("PAPERFEED_INDEX_SCHEDULE", "* * * * *")
# Key phrases and summaries: each embed run describes at most this many papers (about 50 ms
# each), so a catalog embedded before they existed is caught up over many runs.
SUMMARIES_PER_RUN = envint("PAPERFEED_SUMMARIES_PER_RUN", 2_000, minimum=1)
# GitHub repositories that papers link to: stars, language, licence, last push. Without a token
# GitHub answers 60 requests an hour (5,000 with one); unchanged repositories cost nothing (ETag).
# Those of papers from the last LINKS_RECENT_DAYS are checked daily, the others weekly.
GITHUB_API_URL = envstr("PAPERFEED_GITHUB_API_URL", "https://api.github.com").rstrip("/")
GITHUB_TOKEN = envstr("PAPERFEED_GITHUB_TOKEN", "")
LINKS_RECENT_DAYS = envint("PAPERFEED_LINKS_RECENT_DAYS", 30, minimum=1)
REPOSITORIES_SCHEDULE = envcron("PAPERFEED_REPOSITORIES_SCHEDULE", "40 * * * *")
# Saved-search alerts are matched against the papers that arrived since their last run.
ALERTS_SCHEDULE = envcron("PAPERFEED_ALERTS_SCHEDULE", "*/15 * * * *")
# Digests: the daily edition at this hour of the site's time zone, the weekly one on Mondays.
DIGEST_HOUR = envint("PAPERFEED_DIGEST_HOUR", 7, minimum=0)
if DIGEST_HOUR > 23:
    raise SettingError(f"PAPERFEED_DIGEST_HOUR={DIGEST_HOUR} must be an hour from 0 to 23")
# After downtime, missed editions are sent once each, unless more than this many days late.
DIGEST_CATCHUP_DAYS = envint("PAPERFEED_DIGEST_CATCHUP_DAYS", 2, minimum=0)
# The jobs this worker runs (default: all of them); an unknown name stops the worker at start.
WORKER_JOBS = envlist("PAPERFEED_WORKER_JOBS", [])
# A worker's claim on a running job lasts this long and is renewed while it runs; a dead
# worker's job is taken over once it lapses (at once on the same host).
JOB_LEASE_SECONDS = envint("PAPERFEED_JOB_LEASE_SECONDS", 120, minimum=2)
# A failed job is tried this many times in its slot, waiting this long, then twice as long...
JOB_MAX_ATTEMPTS = envint("PAPERFEED_JOB_MAX_ATTEMPTS", 5, minimum=1)
JOB_RETRY_SECONDS = envint("PAPERFEED_JOB_RETRY_SECONDS", 60, minimum=0)
# The worker runs at this niceness, so that serving requests on the same cores comes first.
WORKER_NICE = envint("PAPERFEED_WORKER_NICE", 10, minimum=0)
# This host's name in the job table (its index is its own); default: host name and home folder.
HOST_KEY = envstr("PAPERFEED_HOST_KEY", "")
