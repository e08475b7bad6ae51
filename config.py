"""Configuration classes, read from the environment. No I/O happens at import."""

import os
from datetime import timedelta

BASE_DIR = os.path.abspath(os.path.dirname(__file__))

# The development secret is public; ProductionConfig refuses to start with it.
DEFAULT_SECRET_KEY = "dev-only-secret-change-me"


def database_url(raw: str | None) -> str:
    """Normalise DATABASE_URL: default to SQLite under instance/, use psycopg 3 for PostgreSQL."""
    if not raw:
        return "sqlite:///" + os.path.join(BASE_DIR, "instance", "pdplanner.sqlite3")
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix):]
    return raw


class Config:
    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL"))
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # A database that hangs must not hold every worker (docs/security/database-faults.md): opening a
    # connection, waiting for one from the pool, a statement and a lock wait are each bounded, in
    # seconds; pdplanner.database.engine_options turns them into driver settings. A request that
    # runs into one gets the 503 "try again shortly" page, or problem+json.
    DATABASE_CONNECT_TIMEOUT = int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5"))
    DATABASE_POOL_TIMEOUT = int(os.environ.get("DATABASE_POOL_TIMEOUT", "5"))
    DATABASE_STATEMENT_TIMEOUT = int(os.environ.get("DATABASE_STATEMENT_TIMEOUT", "15"))
    DATABASE_LOCK_TIMEOUT = int(os.environ.get("DATABASE_LOCK_TIMEOUT", "5"))
    # SQLite: how long a writer waits for another one's write lock before "database is locked".
    SQLITE_BUSY_TIMEOUT = int(os.environ.get("SQLITE_BUSY_TIMEOUT", "10"))
    # /healthz gives the database this long, then answers 503.
    HEALTH_CHECK_TIMEOUT = float(os.environ.get("HEALTH_CHECK_TIMEOUT", "1"))

    # Sessions (SPEC section 11): idle and absolute timeouts, hardened cookies.
    SESSION_IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("SESSION_IDLE_MINUTES", "30")))
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=int(os.environ.get("SESSION_ABSOLUTE_HOURS", "12")))
    PERMANENT_SESSION_LIFETIME = SESSION_ABSOLUTE_TIMEOUT
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)

    # Sign-in throttling (docs/security/sign-in.md); only failures count. Storage is shared
    # between workers when it points to Redis.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_STRATEGY = "moving-window"
    RATELIMIT_HEADERS_ENABLED = False
    # A browser with the person's device cookie is limited by that cookie alone ...
    LOGIN_LIMIT_PER_DEVICE = "10 per hour"
    # ... every other client by these: one email from one address, one email from anywhere
    # (its "untrusted clients"), and one address for any email. The address cap is high on
    # purpose: a school's staff share one address, and mistyped or made-up emails must not
    # stop their colleagues; it still bounds one address spraying a password over the district.
    LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS = "5 per minute; 20 per hour"
    LOGIN_LIMIT_PER_ACCOUNT = "50 per hour"
    LOGIN_LIMIT_PER_ADDRESS = "100 per minute; 1000 per hour"
    DEVICE_COOKIE_LIFETIME = timedelta(days=int(os.environ.get("DEVICE_COOKIE_DAYS", "365")))
    DEVICE_COOKIE_MAX_PEOPLE = 10
    PASSWORD_CHANGE_LIMIT = "5 per minute; 20 per hour"
    # How many reverse proxies in front of the app set X-Forwarded-For (Werkzeug's ProxyFix).
    # 0 trusts none: the address is the socket's peer and a client cannot pick its own.
    PROXY_FIX_X_FOR = int(os.environ.get("PROXY_FIX_X_FOR", "0"))

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session, which has its own timeouts

    PASSWORD_MIN_LENGTH = 8
    SET_PASSWORD_LINK_LIFETIME = timedelta(hours=int(os.environ.get("SET_PASSWORD_LINK_HOURS", "72")))
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    # CASE exports name every node by a uri under this base (docs/CASE.md); identifiers are fixed
    # uuids, so changing the base later changes the uris but not the identifiers.
    CASE_URI_BASE = os.environ.get("CASE_URI_BASE", PUBLIC_BASE_URL.rstrip("/") + "/case")
    FRAMEWORK_UPLOAD_MAX_BYTES = 2 * 1024 * 1024

    PASSWORD_RESET_LINK_LIFETIME = timedelta(hours=1)
    PASSWORD_RESET_LIMIT = "5 per 15 minutes"

    # Mail for password reset: smtp in production, the log in development, memory in tests.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "log")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "true").lower() == "true"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_FROM = os.environ.get("MAIL_FROM", "pdplanner <no-reply@localhost>")

    # Evidence uploads live outside the web root (instance/evidence by default).
    EVIDENCE_DIR = os.environ.get("EVIDENCE_DIR", "")
    EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
    # Uploaded rosters wait for their Apply button outside the web root (instance/rosters).
    ROSTER_DIR = os.environ.get("ROSTER_DIR", "")
    ROSTER_MAX_BYTES = 10 * 1024 * 1024
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024

    PRIVACY_MIN_GROUP = int(os.environ.get("PRIVACY_MIN_GROUP", "5"))
    SEND_HSTS = False

    # The JSON API (flask-smorest). The document is served by pdplanner.api itself at
    # /api/v1/openapi.json, so flask-smorest's own doc routes and UIs stay off
    # (OPENAPI_URL_PREFIX unset): their pages load scripts from CDNs, which our CSP forbids.
    API_TITLE = "pdplanner API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"

    @classmethod
    def init_app(cls, app):
        """Hook for checks that need the finished configuration."""


class DevelopmentConfig(Config):
    ENV_NAME = "development"


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL") or "sqlite://")
    RATELIMIT_STORAGE_URI = "memory://"
    MAIL_BACKEND = "memory"


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    SEND_HSTS = True
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")

    @classmethod
    def init_app(cls, app):
        if app.config["SECRET_KEY"] in ("", DEFAULT_SECRET_KEY):
            raise RuntimeError(
                "SECRET_KEY is not set: production refuses to start with the development secret. "
                "Set SECRET_KEY to a long random value."
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_for(env_name: str | None) -> type[Config]:
    name = env_name or os.environ.get("PDPLANNER_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(
            f"PDPLANNER_ENV={name!r} is not one of: {', '.join(CONFIGS)}"
        ) from None
