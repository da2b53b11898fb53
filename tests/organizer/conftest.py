"""Fixtures of the organizer area's tests."""
import pytest


@pytest.fixture
def organizer(client, make_organizer, login):
    """A logged-in organizer (the test client's session); their email."""
    email = make_organizer()
    login(client, email)
    return email
