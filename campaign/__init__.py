"""Campaign: petition and advocacy campaigns built from news articles."""
from __future__ import annotations

import secrets
from pathlib import Path

from flask import Flask
from werkzeug.routing import IntegerConverter

from campaign import database, plurals, query_args
from campaign.campaigns import markdown, social_card, store
from campaign.cli import register_commands
from campaign.errors import register_error_handlers
from campaign.events import reminders
from campaign.extensions import csrf, db, limiter, login_manager, migrate
from campaign.languages import choice as language_choice
from campaign.mail import outbox
from campaign.ops import request_ids, request_text, shared_caching
from campaign.ops.security import register_security
from campaign.places import countries
from campaign.updates import milestones, sending
from campaign.webhooks import sending as webhook_sending
from config import INSTANCE, ROOT, Config, select_config


class DatabaseId(IntegerConverter):
    """`<int:...>` in a route: no larger than a 64-bit column holds, so a huge id in an address
    is a 404 like any unknown one, not an overflow in the database driver."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=query_args.MAX_ID, signed=False):
        super().__init__(url_map, fixed_digits, min, max, signed)


def create_app(config: type[Config] | None = None, **overrides) -> Flask:
    """Build the app: configuration, extensions, blueprints, commands, schema."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(INSTANCE),
    )
    app.config.from_object(config or select_config())
    app.config.update(overrides)
    _ensure_secret_key(app)
    if app.config["PROXY_FIX_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    database.fit_engine_options(app.config)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    _allow_larger_bodies_for_organizers(app)  # before CSRF, which reads the body first
    request_text.init_app(app)  # after the body limit, before CSRF: both read the body
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.session_protection = None  # sessions are checked server-side (organizers.load_session)
    limiter.init_app(app)
    language_choice.init_app(app)  # `_()` in templates and messages
    database.init_app(app)
    request_ids.init_app(app)
    shared_caching.init_app(app)
    outbox.init_app(app)
    sending.init_app(app)  # after the outbox: its rounds feed update emails in
    webhook_sending.init_app(app)
    reminders.init_app(app)  # and events' day-before reminders
    milestones.init_app(app)
    store.init_app(app)
    cards_dir = app.config["CARD_CACHE_DIR"]
    app.extensions["campaign_cards"] = social_card.CardCache(Path(cards_dir) if cards_dir else None)

    from campaign.links import public_url

    app.jinja_env.globals["public_url"] = public_url
    app.jinja_env.globals["has_endpoint"] = lambda name: name in app.view_functions
    app.jinja_env.filters["markdown"] = markdown.render
    app.jinja_env.filters["counted"] = plurals.counted
    app.jinja_env.globals["country_options"] = countries.options_html
    app.jinja_env.globals["country_name"] = countries.local_name_of
    app.url_map.converters["int"] = DatabaseId  # before the routes that use it
    register_blueprints(app)
    register_error_handlers(app)
    register_security(app)
    register_commands(app)

    if app.config["AUTO_UPGRADE"]:
        _bring_database_up_to_date(app)
    return app


def _allow_larger_bodies_for_organizers(app: Flask) -> None:
    from flask import request

    @app.before_request
    def _organizer_body_limit() -> None:
        # Visitors' forms stay at 64 KB; an organizer may paste a long article.
        if request.path.startswith("/organizer/"):
            request.max_content_length = app.config["ORGANIZER_MAX_CONTENT_LENGTH"]


def register_blueprints(app: Flask) -> None:
    from campaign.api import bp as api_bp
    from campaign.ops.health import bp as health_bp
    from campaign.organizer import bp as organizer_bp
    from campaign.organizer.auth import bp as auth_bp
    from campaign.public.data import bp as public_data_bp
    from campaign.public.embed import bp as embed_bp
    from campaign.public.events import bp as events_bp
    from campaign.public.find_representatives import bp as representatives_bp
    from campaign.public.hosting import bp as hosting_bp
    from campaign.public.pages import bp as public_bp
    from campaign.public.signer_controls import bp as signer_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(public_data_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(organizer_bp)
    app.register_blueprint(embed_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(signer_bp)
    app.register_blueprint(representatives_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(events_bp)
    app.register_blueprint(hosting_bp)


def _ensure_secret_key(app: Flask) -> None:
    """Production needs SECRET_KEY; elsewhere one is made once and kept in the instance folder."""
    if app.config["ENV_NAME"] == "production" and not app.config.get("BASE_URL"):
        raise RuntimeError("BASE_URL must be set in production: emails link to it.")
    if app.config.get("SECRET_KEY"):
        return
    if app.config["ENV_NAME"] == "production":
        raise RuntimeError("SECRET_KEY must be set in production.")
    path = Path(app.instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:  # exclusive create: web workers starting together agree on one key
        with open(path, "x") as handle:
            handle.write(secrets.token_hex(32))
        path.chmod(0o600)
    except FileExistsError:
        pass
    app.config["SECRET_KEY"] = path.read_text().strip()


def _bring_database_up_to_date(app: Flask) -> None:
    from campaign.campaigns import sample

    with app.app_context():
        with database.migration_lock():
            database.upgrade_schema()
            if app.config["LOAD_SAMPLE"]:
                sample.load_if_empty()
        db.session.remove()
