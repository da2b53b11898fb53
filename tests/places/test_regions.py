"""The US state of a ZIP code, from the zipcodes package, stored on each signature."""
import threading

import pytest

from campaign.places import regions
from tests.helpers import signatures, wait_until


@pytest.mark.parametrize(
    ("country", "postcode", "region"),
    [
        ("US", "02139", "MA"),  # Cambridge, Massachusetts
        ("US", "02139-4307", "MA"),  # ZIP+4: the first five digits decide
        ("US", "10001", "NY"),
        ("US", "20001", "DC"),
        ("US", "00601", "PR"),
        ("US", "09001", "AE"),  # military mail keeps its USPS code
        ("US", "00000", ""),  # no such ZIP
        ("US", "99999", ""),
        ("US", "021", ""),
        ("US", "", ""),
        ("GB", "SW1A 1AA", ""),
        ("CA", "02139", ""),  # a US-looking code in another country is not a state
    ],
)
def test_region_for(country, postcode, region):
    assert regions.region_for(country, postcode) == region


@pytest.mark.parametrize(
    ("code", "name"),
    [("MA", "Massachusetts"), ("DC", "District of Columbia"), ("PR", "Puerto Rico"),
     ("AE", "Armed Forces Europe"), ("FM", "Micronesia, Federated States of"), ("ZZ", "ZZ")],
)
def test_state_name(code, name):
    assert regions.state_name(code) == name


class CountingLock:
    """A lock that counts the threads that have asked for it."""

    def __init__(self) -> None:
        self._lock, self._count_lock, self.asked = threading.Lock(), threading.Lock(), 0

    def __enter__(self) -> None:
        with self._count_lock:
            self.asked += 1
        self._lock.acquire()

    def __exit__(self, *exc) -> None:
        self._lock.release()


def test_the_table_is_built_once_however_many_threads_ask(monkeypatch):
    built = []
    lock = CountingLock()

    def slow_build():
        built.append(1)
        # Not done until every thread waits at the lock: each must then reuse this build.
        wait_until(lambda: lock.asked == 8, what="the other threads to wait for the build")
        return {"02139": "MA"}

    monkeypatch.setattr(regions, "_states", None)
    monkeypatch.setattr(regions, "_build", slow_build)
    monkeypatch.setattr(regions, "_lock", lock)
    barrier = threading.Barrier(8)
    answers = []

    def ask():
        barrier.wait()
        answers.append(regions.region_for("US", "02139"))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert built == [1] and answers == ["MA"] * 8


def test_the_whole_zip_table_is_loaded():
    table = regions.load()
    # The package ships every ZIP the Postal Service has used: about 42,000.
    assert len(table) > 40_000
    assert all(len(zip_code) == 5 and len(state) == 2 for zip_code, state in table.items())


@pytest.mark.parametrize(
    ("country", "postcode", "region"),
    [("US", "02139-1234", "MA"), ("US", "00000", ""), ("GB", "SW1A 1AA", "")],
)
def test_signing_stores_the_region(app, client, make_campaign, signer, country, postcode, region):
    slug = make_campaign()
    response = client.post(f"/c/{slug}/sign", data=signer(country=country, postcode=postcode))
    assert response.status_code == 303
    with app.app_context():
        [signature] = signatures()
        assert signature.region == region
