"""pdplanner: competency-based professional learning for school districts."""

import importlib
import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import config_for
from pdplanner.database import IdConverter, engine_options, harden_sqlite, refuse_nul_characters
from pdplanner.extensions import csrf, db, limiter, login_manager, migrate
from pdplanner.json_bodies import read_json_body, use_strict_json


def create_app(env_name: str | None = None, **overrides) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    config = config_for(env_name)
    app.config.from_object(config)
    app.config.update(overrides)
    config.init_app(app)
    trust_proxies(app)
    os.makedirs(app.instance_path, exist_ok=True)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.url_map.converters["int"] = IdConverter  # before any route is registered
    use_strict_json(app)

    register_extensions(app)
    register_signal_receivers()
    register_blueprints(app)
    register_template_globals(app)
    register_request_hooks(app)
    register_errors(app)
    register_commands(app)
    return app


def trust_proxies(app: Flask) -> None:
    """Take the client address from X-Forwarded-For, but only the last PROXY_FIX_X_FOR entries,
    which our own proxies appended; anything a client wrote before them is ignored."""
    hops = app.config["PROXY_FIX_X_FOR"]
    if not isinstance(hops, int) or hops < 0:
        raise RuntimeError(
            f"PROXY_FIX_X_FOR={hops!r} must be 0 or the number of proxies in front of the app."
        )
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=0, x_host=0, x_port=0, x_prefix=0)


# Every package with tables, so the metadata (and so Alembic) always sees all of them.
MODEL_PACKAGES = ("accounts", "organisation", "audit", "framework", "assessments", "planning", "conditions",
                  "dashboards")


def register_extensions(app: Flask) -> None:
    for package in MODEL_PACKAGES:
        importlib.import_module(f"pdplanner.{package}.models")
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)
    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            harden_sqlite(db.engine)


# Every package with receivers of a lower package's signals (`<package>/signals.py`): each one's
# `services.subscribe()` connects them. Connecting is idempotent (blinker keys receivers by
# identity), so every app made in one process shares the same receivers. blinker calls them in
# no set order, so no receiver depends on another's having run.
SUBSCRIBERS = ("assessments", "planning", "dashboards")


def register_signal_receivers() -> None:
    for package in SUBSCRIBERS:
        importlib.import_module(f"pdplanner.{package}.services").subscribe()


def register_blueprints(app: Flask) -> None:
    from pdplanner.accounts.views import bp as accounts
    from pdplanner.api import register_api
    from pdplanner.assessments.views import bp as assessments
    from pdplanner.audit.views import bp as audit
    from pdplanner.conditions.views import bp as conditions
    from pdplanner.dashboards.views import bp as dashboards
    from pdplanner.framework.views import bp as framework
    from pdplanner.health import bp as health
    from pdplanner.organisation.views import bp as organisation
    from pdplanner.planning.views import bp as planning
    from pdplanner.reports.views import bp as reports

    for blueprint in (accounts, dashboards, framework, organisation, assessments, planning, conditions,
                      reports, audit, health):
        app.register_blueprint(blueprint)
    register_api(app)   # the API's one blueprint, with its domains (pdplanner.api.DOMAINS)


def register_template_globals(app: Flask) -> None:
    from markupsafe import Markup

    from pdplanner.core.charts import to_svg

    def chart_svg(chart, chart_id: str) -> Markup:
        """A chart's inline SVG (templates/_macros/charts.html): the one kept with its figures
        when the chart carries it for this id (dashboards.queries.page_charts), else drawn now.
        Safe to mark up: to_svg escapes every label it writes."""
        svg = chart.svg if chart.svg_id == chart_id else None
        return Markup(svg if svg is not None else to_svg(chart, chart_id=chart_id))

    app.add_template_global(chart_svg)
    if app.config["ENV_NAME"] == "development":
        # The sign-in page lists the demo's sign-ins and their public password; never in any
        # other environment (the demo itself is refused in production).
        from pdplanner.demo.services import DEMO_PASSWORD, demo_sign_ins

        app.add_template_global(demo_sign_ins)
        app.add_template_global(DEMO_PASSWORD, "demo_password")


def register_request_hooks(app: Flask) -> None:
    from pdplanner.accounts.sessions import enforce_session_timeouts
    from pdplanner.headers import set_security_headers
    from pdplanner.permissions import deny_undeclared_routes, mark_public

    mark_public(app.view_functions["static"])
    app.before_request(deny_undeclared_routes)
    app.before_request(enforce_session_timeouts)
    app.before_request(read_json_body)
    app.before_request(refuse_nul_characters)
    app.after_request(set_security_headers)


def register_errors(app: Flask) -> None:
    from pdplanner.errors import register_error_handlers

    register_error_handlers(app)


def register_commands(app: Flask) -> None:
    from pdplanner.cli import register_cli

    register_cli(app)
