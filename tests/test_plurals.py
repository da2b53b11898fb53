"""Counts in words take the noun in the number they need: "1 state", "2 states"."""
from __future__ import annotations

import pytest

from campaign.plurals import counted


@pytest.mark.parametrize(("count", "singular", "plural", "shown"), [
    (0, "signature", "", "0 signatures"),
    (1, "signature", "", "1 signature"),
    (2, "state", "", "2 states"),
    (1, "constituent", "", "1 constituent"),
    (1204, "signer", "", "1,204 signers"),
    (1, "person", "people", "1 person"),
    (3, "person", "people", "3 people"),
])
def test_counted(count, singular, plural, shown):
    assert counted(count, singular, plural) == shown
