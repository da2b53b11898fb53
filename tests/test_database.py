"""The schema: migrations match the models, the app migrates itself, SQLite is set up for concurrency."""
import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError

import config
from campaign import create_app
from campaign.campaigns import sample
from campaign.extensions import db
from campaign.models import Campaign, Representative, Signature


def test_migrations_and_models_agree(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_starting_on_an_empty_database_migrates_and_loads_the_sample(tmp_path):
    app = create_app(config.TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/new.sqlite",
                     AUTO_UPGRADE=True, LOAD_SAMPLE=True)
    client = app.test_client()
    page = client.get(f"/c/{sample.SLUG}")
    assert page.status_code == 200
    assert "Keep federal library grants funded" in page.text
    # Starting again changes nothing and loads no second sample.
    again = create_app(config.TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/new.sqlite",
                       AUTO_UPGRADE=True, LOAD_SAMPLE=True)
    with again.app_context():
        assert db.session.scalar(text("SELECT count(*) FROM campaigns")) == 1
        db.engine.dispose()
    with app.app_context():
        db.engine.dispose()


def test_database_settings_for_concurrency_and_durability(app):
    """SQLite: WAL with a busy timeout and foreign keys; PostgreSQL: synchronous commit kept."""
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            assert db.session.scalar(text("PRAGMA journal_mode")) == "wal"
            assert db.session.scalar(text("PRAGMA busy_timeout")) >= 5000
            assert db.session.scalar(text("PRAGMA foreign_keys")) == 1
        else:
            assert db.session.scalar(text("SHOW synchronous_commit")) == "on"


def test_database_refuses_a_second_signature_for_the_same_key(app, make_campaign):
    """The rule lives in the database, not only in code."""
    make_campaign(slug="one")
    with app.app_context():
        campaign_id = db.session.scalar(text("SELECT id FROM campaigns WHERE slug = 'one'"))
        row = {"campaign_id": campaign_id, "full_name": "A", "email": "a@example.org",
                   "email_key": "a@example.org", "country": "US"}
        db.session.add(Signature(**row))
        db.session.commit()
        db.session.add(Signature(**row))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_database_checks_accept_every_value_the_models_know(app, make_campaign):
    """CHECK constraints are not compared by autogenerate: exercise them instead."""
    from campaign.models import Action, ActionKind

    make_campaign(slug="kinds")
    with app.app_context():
        campaign_id = db.session.scalar(text("SELECT id FROM campaigns WHERE slug = 'kinds'"))
        for position, kind in enumerate(ActionKind):
            db.session.add(Action(campaign_id=campaign_id, kind=kind, position=position))
        db.session.commit()
        db.session.add(Action(campaign_id=campaign_id, kind="bogus", position=99))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_titles_saved_with_line_breaks_lose_them_on_upgrade(app, make_campaign):
    """Before titles refused control characters, one could be saved; its emails then failed."""
    slug = make_campaign(title="Placeholder")
    with app.app_context():
        flask_migrate.downgrade(revision="c4d1e7a9f203")
        db.session.execute(update(Campaign).where(Campaign.slug == slug)
                           .values(title="Save the\r\npier\u2028 now\t"))
        db.session.commit()
        flask_migrate.upgrade()
        db.session.expire_all()
        assert db.session.scalar(select(Campaign.title).where(Campaign.slug == slug)) == "Save the pier now"


def test_representatives_imported_before_family_names_get_one_from_their_name(app):
    """Old rows keep greeting as they did: the family name the name gives, suffix dropped."""
    with app.app_context():
        flask_migrate.downgrade(revision="7e3a9c1d5b20")
        old = (("a", "Chris Van Hollen"), ("b", "Robert P. Casey, Jr."), ("c", "Cher"))
        for external_id, name in old:
            db.session.execute(text(
                "INSERT INTO representatives (source, external_id, name, office, party, country, "
                "region, district, district_name, email, phone, address, contact_form_url, "
                "website, ids, imported_at) VALUES ('old', :id, :name, 'senator', '', 'US', 'MD', "
                "'', '', '', '', '', '', '', '{}', CURRENT_TIMESTAMP)"),
                {"id": external_id, "name": name})
        db.session.commit()
        flask_migrate.upgrade()
        rows = db.session.execute(select(Representative.name, Representative.family_name)
                                  .order_by(Representative.external_id)).all()
        assert rows == [("Chris Van Hollen", "Van Hollen"), ("Robert P. Casey, Jr.", "Casey"),
                        ("Cher", "Cher")]
