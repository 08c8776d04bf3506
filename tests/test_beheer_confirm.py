"""Beheer actions that lock an organisation out or send a mail ask for confirmation first, on a
page of their own (SPEC §12; no JavaScript needed): *Deactiveren*, *Uitnodiging opnieuw
versturen* (organisation and beheerder) and *Tweestapsverificatie wissen*. A resent
invitation does not claim that a login "was created". And a beheerder finds an
organisation's client by Nr (/beheer/organisaties/<id>?nr=).
"""

import re

from helpers import add_client
from sqlalchemy import select
from support import logged_in_client, login, text_part

from app.db import session
from app.models import Account, Organisation


def _page(response) -> str:
    return response.get_data(as_text=True)


def _forms(html: str) -> list[str]:
    """The action URL of every POST form inside <main>."""
    main = html.split("<main", 1)[1]
    return re.findall(r'<form method="post" action="([^"]+)"', main) + \
        (["(same URL)"] if re.search(r'<form method="post" class="actions">', main) else [])


def _active(app, org_id) -> bool:
    with app.app_context():
        return session.get(Organisation, org_id).active


def test_deactivating_asks_first_and_then_locks_the_organisation_out(app, make_org, make_admin):
    org_id, email = make_org(name="Atelier Bevestig")
    beheerder = logged_in_client(app, make_admin("limburg"))
    org_page = _page(beheerder.get(f"/beheer/organisaties/{org_id}"))
    confirm_url = f"/beheer/organisaties/{org_id}/deactiveren"
    # on the organisation page Deactiveren is a link to the question, not a one-click form
    assert f'href="{confirm_url}">Deactiveren</a>' in org_page
    assert confirm_url not in _forms(org_page)

    question = beheerder.get(confirm_url)
    assert question.status_code == 200 and _active(app, org_id)  # asking changes nothing
    html = _page(question)
    assert "<h1>Atelier Bevestig deactiveren?</h1>" in html
    assert "kunnen daarna niet meer aanmelden" in html and "blijven bewaard" in html
    assert ">Atelier Bevestig deactiveren</button>" in html
    assert f'<a href="/beheer/organisaties/{org_id}">Annuleren</a>' in html

    done = beheerder.post(confirm_url)
    assert done.status_code == 302 and not _active(app, org_id)
    assert "werd gedeactiveerd" in _page(beheerder.get(done.location))
    assert login(app.test_client(), email).status_code == 200  # no longer let in


def test_reactivating_needs_one_click_and_its_question_page_exists(app, make_org, make_admin):
    org_id, _ = make_org()
    beheerder = logged_in_client(app, make_admin(None))
    beheerder.post(f"/beheer/organisaties/{org_id}/deactiveren")
    org_page = _page(beheerder.get(f"/beheer/organisaties/{org_id}"))
    assert f"/beheer/organisaties/{org_id}/activeren" in _forms(org_page)
    assert "opnieuw activeren?" in _page(beheerder.get(f"/beheer/organisaties/{org_id}/activeren"))
    beheerder.post(f"/beheer/organisaties/{org_id}/activeren")
    assert _active(app, org_id)


def test_resending_an_organisation_invitation_asks_first_and_says_it_is_a_new_one(
        mail_app, make_admin):
    beheerder = logged_in_client(mail_app, make_admin(None))
    created = beheerder.post("/beheer/organisaties/nieuw", data={
        "name": "Werkhuis Nieuw", "region": "limburg", "email": "werkhuis@example.be"})
    assert created.status_code == 302
    first = mail_app.smtp.wait_for(1)[-1]
    assert "Er werd een login aangemaakt voor Werkhuis Nieuw" in text_part(first)
    with mail_app.app_context():
        org_id = session.scalar(select(Organisation.id).where(Organisation.name == "Werkhuis Nieuw"))

    org_page = _page(beheerder.get(f"/beheer/organisaties/{org_id}"))
    url = f"/beheer/organisaties/{org_id}/uitnodiging"
    assert f'href="{url}">Uitnodiging opnieuw versturen</a>' in org_page and url not in _forms(org_page)
    question = _page(beheerder.get(url))
    assert "<h1>Uitnodiging opnieuw versturen naar Werkhuis Nieuw?</h1>" in question
    assert "werkhuis@example.be krijgt een e-mail met een nieuwe link" in question
    assert len(mail_app.smtp.messages) == 1  # asking sends nothing

    sent = beheerder.post(url)
    assert sent.status_code == 302
    again = text_part(mail_app.smtp.wait_for(2)[-1])
    assert "Je ontvangt opnieuw een uitnodiging voor de login van Werkhuis Nieuw" in again
    assert "aangemaakt" not in again


def test_resending_a_beheerder_invitation_asks_first(mail_app, make_admin):
    superbeheerder = logged_in_client(mail_app, make_admin(None))
    invited = make_admin("antwerpen", email="nieuwe-beheerder@example.be", password=None)
    with mail_app.app_context():
        account_id = session.scalar(select(Account.id).where(Account.email == invited))
    edit_page = _page(superbeheerder.get(f"/beheer/beheerders/{account_id}/bewerken"))
    url = f"/beheer/beheerders/{account_id}/uitnodiging"
    assert f'href="{url}">Uitnodiging opnieuw versturen</a>' in edit_page
    assert url not in _forms(edit_page)
    question = _page(superbeheerder.get(url))
    assert "<h1>Uitnodiging opnieuw versturen naar nieuwe-beheerder@example.be?</h1>" in question
    count = len(mail_app.smtp.messages)
    assert superbeheerder.post(url).status_code == 302
    mail = mail_app.smtp.wait_for(count + 1)[-1]
    assert mail["To"] == invited
    # an account with a password: no button, and the question page says why and goes back
    with_password = make_admin("limburg")
    with mail_app.app_context():
        other_id = session.scalar(select(Account.id).where(Account.email == with_password))
    assert "Uitnodiging opnieuw versturen" not in _page(
        superbeheerder.get(f"/beheer/beheerders/{other_id}/bewerken"))
    r = _page(superbeheerder.get(f"/beheer/beheerders/{other_id}/uitnodiging"))
    assert "<h1>Geen uitnodiging nodig</h1>" in r and "al een wachtwoord ingesteld" in r
    assert "<button" not in r.split("<main", 1)[1].split("</main>", 1)[0]


def test_a_beheerder_finds_a_client_by_nr(app, org_client, make_admin):
    for _ in range(3):
        add_client(org_client)
    beheerder = logged_in_client(app, make_admin("limburg"))
    url = f"/beheer/organisaties/{org_client.org_id}"
    everything = _page(beheerder.get(url))
    assert '<label for="nr">Zoek een cliënt op Nr</label>' in everything  # a visible field
    assert "Anonieme cliëntgegevens (3)" in everything
    found = _page(beheerder.get(f"{url}?nr=2"))
    assert "Anonieme cliëntgegevens (1)" in found
    assert re.findall(r'<td data-label="Nr">(\d+)</td>', found) == ["2"]
    assert "Toon alle cliënten" in found
    assert "geen cliënt met Nr 9" in _page(beheerder.get(f"{url}?nr=9"))


def test_wiping_a_beheerders_two_step_verification_asks_first(app, make_admin):
    from app.models import utcnow
    superbeheerder = logged_in_client(app, make_admin(None))
    email = make_admin("limburg")
    with app.app_context():
        account = session.scalar(select(Account).where(Account.email == email))
        account.totp_secret_enc, account.totp_enabled_at = b"sealed-secret", utcnow()
        session.commit()
        account_id = account.id
    url = f"/beheer/beheerders/{account_id}/tweestapsverificatie-wissen"
    edit_page = _page(superbeheerder.get(f"/beheer/beheerders/{account_id}/bewerken"))
    assert f'href="{url}">Tweestapsverificatie wissen</a>' in edit_page and url not in _forms(edit_page)
    question = _page(superbeheerder.get(url))
    assert f"<h1>Tweestapsverificatie van {email} wissen?</h1>" in question
    assert ">Tweestapsverificatie wissen</button>" in question
    with app.app_context():  # asking changes nothing
        assert session.get(Account, account_id).totp_secret_enc == b"sealed-secret"
    assert superbeheerder.post(url).status_code == 302
    with app.app_context():
        assert session.get(Account, account_id).totp_secret_enc is None
    nothing = _page(superbeheerder.get(url))
    assert "<h1>Niets te wissen</h1>" in nothing
    assert "<button" not in nothing.split("<main", 1)[1].split("</main>", 1)[0]
