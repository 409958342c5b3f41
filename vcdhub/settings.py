"""Settings, all from the environment. SQLite under var/ by default; DATABASE_URL switches database."""

from pathlib import Path

import dj_database_url

from vcdhub.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VCDHUB_VAR_DIR", str(BASE_DIR / "var")))
DATA_DIR = BASE_DIR / "data"

DEBUG = env_bool("VCDHUB_DEBUG", False)
# The demo key is only for a local demo; production sets SECRET_KEY or SECRET_KEY_FILE.
SECRET_KEY = env_str("SECRET_KEY", "vcdhub-demo-only-not-secret-change-me-in-production-0123456789")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin.apps.SimpleAdminConfig",  # no autodiscover: django-leaflet's admin needs GDAL
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "leaflet",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "vcdhub.platform",
    "vcdhub.access",
    "vcdhub.audit",
    "vcdhub.geography",
    "vcdhub.crime",
    "vcdhub.people",
    "vcdhub.intel",
    "vcdhub.casework",
    "vcdhub.ramp",
    "vcdhub.missing",
    "vcdhub.ingest",
    "vcdhub.performance",
    "vcdhub.equality",
    "vcdhub.places",
    "vcdhub.accounts",
    "vcdhub.auditing",
    "vcdhub.landing",
    "vcdhub.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "vcdhub.platform.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "vcdhub.platform.middleware.IdleSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "vcdhub.audit.middleware.ActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "vcdhub.platform.middleware.LoginRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses sign-in while an account or address is locked out
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("LOGIN_LOCKOUT_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
OTP_TOTP_ISSUER = "vcdhub"

ROOT_URLCONF = "vcdhub.urls"
WSGI_APPLICATION = "vcdhub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "vcdhub" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "vcdhub.platform.context_processors.navigation",
            ],
        },
    },
]

_default_sqlite = VAR_DIR / "vcdhub.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{_default_sqlite}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets the web app read while an import writes; IMMEDIATE avoids lock upgrades failing.
            # temp_store=FILE: a sort bigger than the cache (an index built at the end of a bulk load) spills to a
            # temporary file, not to memory: with MEMORY, an import of 14M rows peaked at 1.6 GiB, and the builds
            # were slower too (docs/benchmarks.md, session 14).
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA busy_timeout=10000; PRAGMA temp_store=FILE; PRAGMA cache_size=-65536;"
            ),
            "transaction_mode": "IMMEDIATE",
        }
    )
    # Tests get a file-backed database so the browser test's server thread sees the same data.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-vcdhub.sqlite3")}
else:
    # The planner settings of every connection (docs/decisions.md, "PostgreSQL session settings"). JIT compiles
    # each large aggregate for 0.7 s before running it; the default random_page_cost (4) is for spinning disks,
    # and made PostgreSQL read all 14M rows of twenty years rather than one year's through its month index
    # (2.1 s against 0.3 s); the default work_mem (4 MB) sent the place analyses' grouping of twenty years of
    # ward counts to disk. A server whose administrator has tuned these can set VCDHUB_PG_OPTIONS to "".
    session = env_str("VCDHUB_PG_OPTIONS", "-c jit=off -c random_page_cost=2 -c work_mem=64MB")
    if session:
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} {session}".strip()
    if env_bool("VCDHUB_DB_POOL", False):
        # `vcdhub serve` turns this on: each worker process keeps up to VCDHUB_DB_POOL_SIZE connections open
        # (Django's psycopg pool) instead of connecting for every request. A pool replaces persistent connections.
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1, "max_size": env_int("VCDHUB_DB_POOL_SIZE", 4), "timeout": 10}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Each process's memory: aggregates of the crime cells, cached under the cells' data version (crime.cells.cached;
# PostgreSQL only), so a cached count is never stale. Small entries; the oldest go first.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "vcdhub",
                      "OPTIONS": {"MAX_ENTRIES": 20_000}}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "vcdhub" / "static"]
try:  # WhiteNoise expects STATIC_ROOT to exist even when it serves from the finders
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
except OSError:
    pass

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
# An idle timeout: expiry counts from the last request, saved at most once a minute (platform.middleware.
# IdleSessionMiddleware), so a session may expire up to a minute early, never late.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_TOUCH_SECONDS = 60
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Secure cookies mean the site is served over HTTPS: then plain HTTP is redirected, and browsers are told to
# use HTTPS only (HSTS, a year). The health check stays on HTTP for a load balancer's probe.
SECURE_SSL_REDIRECT = SESSION_COOKIE_SECURE
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if SESSION_COOKIE_SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False  # the force's other sites are not ours to bind
if env_bool("BEHIND_TLS_PROXY", False):  # a proxy that ends TLS and says so in X-Forwarded-Proto
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "vcdhub.access.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["vcdhub.platform.api_filters.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "vcdhub.platform.pagination.CappedPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "vcdhub.platform.api_schema.AutoSchema",  # errors, tokens, empty values, months
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON bodies only: a form or multipart body carries no types (false sent as "0" read as a valid false), so
    # the schema could not say which bodies are valid. The web pages have their own forms.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "vcdhub.platform.api.exception_handler",  # 401s go on the audit chain
}

SPECTACULAR_SETTINGS = {
    "TITLE": "vcdhub API",
    # One name for a choice set several fields share.
    "ENUM_NAME_OVERRIDES": {"PersonLinkKindEnum": "vcdhub.people.choices.PersonLinkKind",
                            "RiskLevelEnum": "vcdhub.casework.choices.RiskLevel",
                            "MissingGradeEnum": "vcdhub.missing.choices.Grade",
                            "CaseLinkKindEnum": "vcdhub.casework.choices.LinkKind",
                            "IntelLinkKindEnum": "vcdhub.intel.choices.LinkKind"},
    "DESCRIPTION": (
        "Crimes, stop-and-search records and London geography (read-only); the people register: people, "
        "their flags, crime roles and links (read, and write for investigators, analysts and supervisors; a "
        "refused write is a 400 naming each field); and intelligence: graded reports (submitted, then moved "
        "through their steps), their dissemination logs, what other units shared with yours, sources (for their "
        "handlers), proposed links, full-text search and link charts; case work: risk panel (RAMP) cases, "
        "referred, then moved through their steps, their priority list and dashboard, the actions assigned to "
        "your unit or agency (a partner agency's account reads only its own) and panel meetings. Every answer "
        "holds only what you may see.\n\n"
        "Authenticate with an API token from your account page (`Authorization: Bearer vcd_...`) or a signed-in "
        "session. Request bodies are JSON (`Content-Type: application/json`; another type is a 415), and text is "
        "sent as text: a number where text is asked for is a 400. Months are `YYYY-MM`. A query parameter sent "
        "empty (`borough=`) is the same as leaving it out; "
        "a filter may be given several times (`crime_type=Robbery&crime_type=Burglary`). A refused parameter is a "
        "400 naming it, an area code of no loaded area included."
    ),
    "VERSION": "0.1.0",
    # A request body has its own schema (PersonRequest): without read-only fields, and with minLength 1 for text
    # that may not be blank, so the schema says that `"owner_unit": ""` is refused, as it is.
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SERVE_AUTHENTICATION": ["vcdhub.access.authentication.BearerTokenAuthentication",
                             "rest_framework.authentication.SessionAuthentication"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# A basemap under the choropleth, from a tile server the force runs (police networks are often air-gapped, so
# there is none by default, and the boundaries are the base map): an XYZ template such as
# "https://tiles.example.police.uk/{z}/{x}/{y}.png". Its origin is added to the Content-Security-Policy.
VCDHUB_TILE_URL = env_str("VCDHUB_TILE_URL", "")
VCDHUB_TILE_ATTRIBUTION = env_str("VCDHUB_TILE_ATTRIBUTION", "")

LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (51.5074, -0.1278),
    "DEFAULT_ZOOM": 10,
    "TILES": [],  # no tile server: police networks are often air-gapped; boundaries are the base map
    "RESET_VIEW": False,
}

# Aggregate cells below this count are suppressed in outputs to authority members.
VCDHUB_MIN_CELL = env_int("VCDHUB_MIN_CELL", 5)

# Cell key perturbation of counts shown to aggregate-only readers (docs/disclosure.md): the noise is at most
# this many records either way, from a ptable built with this seed; or VCDHUB_PTABLE, a CSV with columns
# pcv, ckey, pvalue (the ONS package's format). Set your own seed in production and keep it private.
VCDHUB_PERTURBATION_MAX_NOISE = env_int("VCDHUB_PERTURBATION_MAX_NOISE", 2)
VCDHUB_PERTURBATION_SEED = env_int("VCDHUB_PERTURBATION_SEED", 20261129)
VCDHUB_PTABLE = env_str("VCDHUB_PTABLE", "")

# Case work (docs/casework.md): days from a review (or a plan, or an assessment) to the next, by risk level.
VCDHUB_CASE_REVIEW_DAYS = {"very_high": 28, "high": 56, "medium": 91, "low": 182}

# The risk panel's priority list (ramp.priority, docs/casework.md): a recency-frequency-gravity harm score.
# Weights are days of custody in the manner of the Cambridge Crime Harm Index, one per police.uk crime type (a
# broad type stands for many offences, so each weight is an indicative starting point: replace them with the
# force's own CCHI table). A type left out adds nothing and is listed as unweighted: drugs and shoplifting
# because the CCHI leaves out proactively detected and organisation-detected crime, anti-social behaviour
# because it is not a crime. Intelligence counts by its grade. Older events decay on the half-life; events
# older than the window are left out.
VCDHUB_RAMP_HARM = {
    "half_life_days": 365,
    "window_days": 3 * 365,
    "crime_weights": {
        "Violence and sexual offences": 365, "Robbery": 365, "Possession of weapons": 180, "Burglary": 120,
        "Theft from the person": 30, "Criminal damage and arson": 20, "Public order": 10, "Vehicle crime": 10,
        "Other crime": 10, "Other theft": 5, "Bicycle theft": 5,
    },
    # By the report's intelligence assessment: 3x5x2 A-C; legacy 5x5x5 1-3. D, E, 4 and 5 add nothing.
    "intelligence_weights": {"3x5x2 A": 60, "3x5x2 B": 45, "3x5x2 C": 20, "5x5x5 1": 60, "5x5x5 2": 45,
                             "5x5x5 3": 45},
}

# Missing persons (vcdhub.missing, docs/missing-persons.md). Hours from a grading or review to the next review
# (by anyone working the case) and the next supervision (a supervisor's review), by risk grade; hours from the
# person being found to the prevention or return interview's deadline, by the grade at the time.
VCDHUB_MISSING_TIMING = {
    "review_hours": {"high": 2, "medium": 8, "low": 24, "very_low": 72},
    "supervision_hours": {"high": 6, "medium": 24, "low": 72, "very_low": 168},
    "interview_hours": {"high": 24, "medium": 72, "low": 72, "very_low": 72},
}
# The review queue's vulnerability score: points for each factor an open episode shows (shown to the user,
# term by term). Grade points are by the present risk grade; `repeat_90d` is per earlier episode of the same
# person in the 90 days before this one (up to `repeat_cap` of them); `unusual_duration` is multiplied by the
# share of similar closed episodes that ended sooner (1.0: longer than all of them), and counts only from
# `unusual_from` (0.5: longer than half of them). Ages are at the report: a child is under 18, an older adult
# 65 or over.
VCDHUB_MISSING_VULNERABILITY = {
    "grade": {"high": 8, "medium": 4, "low": 1, "very_low": 0},
    "child": 3, "older_adult": 2, "looked_after": 3, "cse": 4, "cce": 4, "mental_health": 2, "dementia": 3,
    "substance": 1, "risk_to_others": 2, "repeat_90d": 1, "repeat_cap": 5, "unusual_duration": 4,
    "unusual_from": 0.5, "open_case": 2,
}
# Repeat episodes that propose a referral to the risk panel (RAMP): this many episodes (this one included)
# within this many days, for a child and for an adult.
VCDHUB_MISSING_REPEAT = {"child": {"episodes": 3, "days": 90}, "adult": {"episodes": 5, "days": 365}}
# The time-missing comparison (stats.survival): a group of similar episodes (age group and grade) is used only
# with at least this many episodes; smaller groups fall back to the age group, then to all episodes.
VCDHUB_MISSING_MIN_GROUP = 20

# The largest file an administrator may upload for import through the web (a year of the Met's police.uk
# bulk download is about 300 MB); larger loads use `vcdhub import` on the server.
VCDHUB_MAX_UPLOAD_BYTES = env_int("VCDHUB_MAX_UPLOAD_BYTES", 1024 * 1024 * 1024)

# What one imported file may cost (vcdhub.ingest.files): its size once decompressed, how many times its
# compressed size it may grow (a zip bomb grows a thousandfold), and how many files one archive may hold.
VCDHUB_IMPORT_MAX_FILE_BYTES = env_int("VCDHUB_IMPORT_MAX_FILE_BYTES", 1024**3)
VCDHUB_IMPORT_MAX_RATIO = env_int("VCDHUB_IMPORT_MAX_RATIO", 200)
VCDHUB_IMPORT_MAX_MEMBERS = env_int("VCDHUB_IMPORT_MAX_MEMBERS", 10_000)
# A file up to this size (decompressed) is checked whole before it is written; a larger one is checked and
# written in blocks of about VCDHUB_IMPORT_BLOCK_BYTES inside its one transaction (vcdhub.ingest.streaming),
# so an import's memory is bounded by these two, whatever the file's size. A month of the Met's street
# crime is about 15 MB, so police.uk files take the whole-file path.
VCDHUB_IMPORT_WHOLE_FILE_BYTES = env_int("VCDHUB_IMPORT_WHOLE_FILE_BYTES", 32 * 1024 * 1024)
VCDHUB_IMPORT_BLOCK_BYTES = env_int("VCDHUB_IMPORT_BLOCK_BYTES", 8 * 1024 * 1024)

# Signed checkpoints of the audit chain (vcdhub.audit.checkpoints; docs/security.md, "Tail truncation"): files saying
# "the chain had N entries ending in hash H at time T", signed with an Ed25519 key kept out of the database, so that
# `vcdhub audit verify` finds entries removed from the end. The defaults under VAR_DIR suit the demo only: in
# production the checkpoint directory is another machine's or write-once storage, and the private key (PEM or 32
# raw bytes, mode 0600, made by `vcdhub audit keygen`) is not readable by the database's administrators. Verify
# needs only the public keys: VCDHUB_AUDIT_VERIFY_KEY, comma-separated files (old keys too, after a rotation);
# unset, the signing key's public half. After an audit write, a checkpoint is queued for the worker when the
# latest is older than VCDHUB_AUDIT_CHECKPOINT_INTERVAL seconds (0: none queued; a timer runs
# `vcdhub audit checkpoint` instead). An empty directory or key path turns checkpoints off.
VCDHUB_AUDIT_CHECKPOINT_DIR = env_str("VCDHUB_AUDIT_CHECKPOINT_DIR", str(VAR_DIR / "audit-checkpoints"))
VCDHUB_AUDIT_SIGNING_KEY = env_str("VCDHUB_AUDIT_SIGNING_KEY", str(VAR_DIR / "audit-signing-key.pem"))
VCDHUB_AUDIT_VERIFY_KEY = env_list("VCDHUB_AUDIT_VERIFY_KEY", [])
VCDHUB_AUDIT_CHECKPOINT_INTERVAL = env_int("VCDHUB_AUDIT_CHECKPOINT_INTERVAL", 3600)

# Coordinates outside this box are rejected on import: police.uk covers England, Wales and NI.
VCDHUB_COORDINATE_BOUNDS = {"lon_min": -11.0, "lon_max": 2.5, "lat_min": 49.0, "lat_max": 61.0}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# Static files come straight from the installed packages (Leaflet, htmx) and vcdhub/static, no build step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Background jobs (platform.jobs): django-tasks with its database backend, so neither SQLite nor PostgreSQL
# needs a broker; `vcdhub db_worker` runs them (make demo starts one beside the web server).
# VCDHUB_JOBS_IMMEDIATE=1 runs each job inside the request that queues it (a single-process setup, no worker).
TASKS = {
    "default": {
        "BACKEND": ("django_tasks.backends.immediate.ImmediateBackend" if env_bool("VCDHUB_JOBS_IMMEDIATE")
                    else "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
