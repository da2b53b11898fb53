"""Races: simultaneous identical submissions make one signature; none is lost."""
import threading

from campaign.models import OutboxMessage, Signature
from tests.helpers import count_rows


def _post_together(app, slug: str, bodies: list[dict]) -> list[int]:
    """POST every body at the same moment from its own thread; return the status codes."""
    barrier = threading.Barrier(len(bodies))
    statuses: list[int] = [0] * len(bodies)

    def post(index: int, body: dict) -> None:
        client = app.test_client()
        barrier.wait()
        statuses[index] = client.post(f"/c/{slug}/sign", data=body).status_code

    threads = [threading.Thread(target=post, args=(i, b)) for i, b in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def test_twenty_identical_submissions_make_one_signature(app, make_campaign, signer):
    slug = make_campaign()
    statuses = _post_together(app, slug, [signer()] * 20)
    assert statuses == [303] * 20
    with app.app_context():
        assert count_rows(Signature) == 1
        # The repeats came within CONFIRMATION_RESEND_MINUTES of the first email: none of
        # them sends another.
        assert count_rows(OutboxMessage) == 1


def test_concurrent_different_signers_are_all_stored(app, make_campaign, signer):
    slug = make_campaign()
    bodies = [signer(email=f"person{i}@example.org") for i in range(20)]
    statuses = _post_together(app, slug, bodies)
    assert statuses == [303] * 20
    with app.app_context():
        assert count_rows(Signature) == 20
        assert count_rows(OutboxMessage) == 20


def test_a_signature_needs_one_database_connection(app, make_campaign, signer):
    """A request that held one connection while waiting for a second would drain the pool
    under a burst (every request waiting for a connection the others hold)."""
    import config
    from campaign import create_app

    slug = make_campaign()
    one_connection = create_app(
        config.TestingConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0, "pool_timeout": 2})
    client = one_connection.test_client()
    for number in range(2):
        answer = client.post(f"/c/{slug}/sign", data=signer(email=f"one{number}@example.org"))
        assert answer.status_code == 303
    with app.app_context():
        assert count_rows(Signature) == 2
    with one_connection.app_context():
        from campaign.extensions import db

        db.engine.dispose()
