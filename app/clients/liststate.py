"""Lists keep their state (SPEC §12): the dashboard remembers its tab, search, sort and page, so
the menu link, the back links and the return after saving a period show the list as the user
left it.

The state lives in the signed session cookie of this login (gone at logout and at the next
login). That cookie is signed, not encrypted — anyone holding the browser can read it — and the
search text may be initials (an old volgnummer was free text), so the search is kept sealed
under the organisation's data key (AES-GCM; app/crypto.py); tab, sort and page are kept as they
are. A dashboard URL without parameters shows the remembered state; nothing of it is put in a URL.
"""

from cryptography.exceptions import InvalidTag
from flask import session as cookie

from .. import crypto, keys

KEY = "dashboard"


def _open(org, state) -> dict | None:
    if not isinstance(state, dict):
        return None
    q = ""
    if state.get("q") is not None:
        try:
            q = crypto.open_search(keys.data_key(org), org.id, state["q"])
        except (InvalidTag, TypeError, ValueError):
            return None
    return {"tab": state.get("tab"), "sort": state.get("sort"), "page": state.get("page"), "q": q}


def recall(org) -> dict | None:
    """The remembered {tab, q, sort, page} of this organisation's dashboard, if any."""
    return _open(org, cookie.get(KEY))


def remember(org, tab: str, q: str, sort: str, page: int) -> None:
    """Keep the dashboard's state (the cookie is rewritten only when it changed)."""
    q = q.strip()[:50]
    if recall(org) == {"tab": tab, "sort": sort, "page": page, "q": q}:
        return
    cookie[KEY] = {"tab": tab, "sort": sort, "page": page,
                   "q": crypto.seal_search(keys.data_key(org), org.id, q) if q else None}


def remembered() -> bool:
    return isinstance(cookie.get(KEY), dict)
