"""/healthz: 200 with a JSON status when the database answers, 503 when it does not, within
HEALTH_CHECK_TIMEOUT (1 s) even when the database hangs.

The check runs on a connection of its own (no pool, one-second connect and statement timeouts)
in a thread the request waits for with a timeout: a database that accepts connections but never
answers can neither hold the health check nor take the application's pool.
"""

import threading

from flask import Blueprint, current_app
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from pdplanner.permissions import public

bp = Blueprint("health", __name__)

ENGINE_KEY = "pdplanner.health_engine"


def health_engine() -> Engine:
    """The health check's own engine: the application's database, every wait about a second."""
    engine = current_app.extensions.get(ENGINE_KEY)
    if engine is None:
        config = current_app.config
        url = config["SQLALCHEMY_DATABASE_URI"]
        seconds = max(1, round(config["HEALTH_CHECK_TIMEOUT"]))
        if url.startswith("sqlite"):
            connect_args = {"timeout": seconds}
        elif url.startswith("postgresql"):
            connect_args = {"connect_timeout": seconds,
                            "options": f"-c statement_timeout={seconds * 1000}"}
        else:
            connect_args = {}
        engine = create_engine(url, poolclass=NullPool, connect_args=connect_args)
        current_app.extensions[ENGINE_KEY] = engine
    return engine


def database_answers(engine: Engine, timeout: float) -> bool:
    """Whether `SELECT 1` on `engine` succeeds within `timeout` seconds."""
    finished, answers = threading.Event(), []

    def check():
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            answers.append(True)
        except SQLAlchemyError:
            pass
        finally:
            finished.set()

    threading.Thread(target=check, name="healthz", daemon=True).start()
    return finished.wait(timeout) and bool(answers)


@bp.get("/healthz")
@public
def healthz():
    if not database_answers(health_engine(), current_app.config["HEALTH_CHECK_TIMEOUT"]):
        current_app.logger.error("Health check: the database did not answer.")
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}
