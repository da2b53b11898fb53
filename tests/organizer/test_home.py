"""The organizer's first page: their campaigns, with confirmed and pending counts."""
import re
from datetime import timedelta

from campaign.clock import utcnow
from campaign.extensions import db
from tests import seats


def test_login_home_logout(client, make_campaign, make_organizer, login):
    slug = make_campaign(title="Mine")
    make_campaign(title="Not mine")
    email = make_organizer(campaigns_owned=[slug])
    assert client.get("/organizer/").status_code == 302
    login(client, email)
    page = client.get("/organizer/")
    assert page.status_code == 200 and "Mine" in page.text and "Not mine" not in page.text
    assert page.headers["Cache-Control"] == "no-store"
    client.post("/auth/logout")
    assert client.get("/organizer/").status_code == 302


def test_home_counts_confirmed_and_pending_apart(app, client, make_campaign, make_organizer, login):
    """Invalidated and held signatures count as neither."""
    slug = make_campaign(title="Mixed signers", goal=100)
    with app.app_context():
        seats.add_signers(slug, seats.STATUS_MIX, start=utcnow() - timedelta(days=2))
        db.session.commit()
    login(client, make_organizer(campaigns_owned=[slug]))
    row = _row(client.get("/organizer/").text, "Mixed signers")
    assert (row["Confirmed"], row["Pending"], row["Goal"]) == ("2", "3", "100")
    assert row["Signed today"] == "0"  # the mix signed two days ago
    assert row["Progress"].endswith("</progress> 2%")


def _row(page: str, title: str) -> dict[str, str]:
    """The cells of a campaign's row in the table, by their column's heading."""
    headings = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', page)
    [row] = [row for row in re.findall(r"<tr>(.*?)</tr>", page, re.DOTALL) if title in row]
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.DOTALL)
    return dict(zip(headings, cells, strict=True))
