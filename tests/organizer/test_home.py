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
