"""Accounts and their links, at the places the mutation run (tests/mutation/run.py) found
unguarded: a deactivated beheerder account is closed everywhere; one account's new password
leaves the links of other accounts alone; a resent invitation says whether it was sent."""

from sqlalchemy import select
from support import PASSWORD, free_port, link_in, logged_in_client, login

from app.auth import services
from app.db import session
from app.models import Account


def test_a_deactivated_beheerder_is_locked_out_everywhere(app, make_admin):
    email = make_admin("limburg")
    own = logged_in_client(app, email)
    with app.app_context():
        token = services.issue_token(services.find_account(email), "reset")
        session.commit()
        account_id = session.scalar(select(Account.id).where(Account.email == email))
    superbeheerder = logged_in_client(app, make_admin(None))
    r = superbeheerder.post(f"/beheer/beheerders/{account_id}/bewerken",
                            data={"email": email, "region": "limburg", "active": ""})
    assert r.status_code == 302

    assert own.get("/beheer").status_code == 302  # the open session ended
    r = login(app.test_client(), email)
    assert r.status_code == 200 and "Deze login is gedeactiveerd" in r.get_data(as_text=True)
    assert app.test_client().get(f"/password/edit/{token}").status_code == 410
    with app.app_context():
        assert services.valid_token(token) is None


def test_a_new_password_of_one_account_leaves_the_links_of_others_alone(app, make_org):
    """Two invited accounts (no password yet: an invitation only works for those)."""
    _, first = make_org(password=None)
    _, second = make_org(password=None)
    with app.app_context():
        tokens = {email: services.issue_token(services.find_account(email), "invite")
                  for email in (first, second)}
        session.commit()
    c = app.test_client()
    new = "een nieuw wachtwoord voor de eerste"
    r = c.post(f"/password/edit/{tokens[first]}", data={"password": new, "password_confirm": new})
    assert r.status_code == 302
    assert app.test_client().get(f"/password/edit/{tokens[first]}").status_code == 410
    assert app.test_client().get(f"/password/edit/{tokens[second]}").status_code == 200
    with app.app_context():  # and the other account still has no password
        assert services.find_account(second).password_hash is None


def test_resending_an_invitation_says_whether_it_was_sent(mail_app, make_org, make_admin):
    org_id, org_email = make_org(name="Uitgenodigd", password=None)
    admin_email = make_admin("limburg", password=None)
    with mail_app.app_context():
        admin_id = session.scalar(select(Account.id).where(Account.email == admin_email))
    superbeheerder = logged_in_client(mail_app, make_admin(None))
    for url, address in ((f"/beheer/organisaties/{org_id}/uitnodiging", org_email),
                         (f"/beheer/beheerders/{admin_id}/uitnodiging", admin_email)):
        count = len(mail_app.smtp.messages)
        r = superbeheerder.post(url)
        page = superbeheerder.get(r.location).get_data(as_text=True)
        assert "uitnodiging" in page.lower() and address in page and "kon niet" not in page, url
        mail = mail_app.smtp.wait_for(count + 1)[-1]
        assert mail["To"] == address
        assert mail_app.test_client().get(link_in(mail)).status_code == 200


def test_resending_an_invitation_when_the_mail_server_is_down_says_so(make_app, make_org, make_admin):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    org_id, _ = make_org(password=None)
    superbeheerder = app.test_client()
    assert login(superbeheerder, make_admin(None), PASSWORD).status_code == 302
    r = superbeheerder.post(f"/beheer/organisaties/{org_id}/uitnodiging")
    page = superbeheerder.get(r.location).get_data(as_text=True)
    assert "De uitnodiging kon niet verstuurd worden" in page
