"""A deactivated login (a beheerder's own account, not an organisation) is closed everywhere:
its open session ends, it cannot log in again (told so in Dutch), and a reset link is neither
sent nor honoured. Found unguarded by the mutation run (tests/mutation/run.py)."""

from conftest import logged_in_client, login
from sqlalchemy import select

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
