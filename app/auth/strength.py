"""How guessable a new password is: zxcvbn with the account's e-mail and organisation as context,
and a Dutch reason when it is too easy (zxcvbn's own feedback is English)."""

import re
import threading

from zxcvbn import zxcvbn

MIN_LENGTH = 12
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable", about 10^8 guesses or more
MAX_CHECKED = 72  # zxcvbn's own limit; longer passwords are judged on their first 72 characters

TOO_SHORT = f"Kies een wachtwoord van minstens {MIN_LENGTH} tekens."
WEAK = "Dit wachtwoord is te makkelijk te raden: {reason} {tip}"
TIP = "Kies bijvoorbeeld een zin van enkele woorden die niet bij elkaar horen."

REASONS = {
    "context": "het bevat (een deel van) je e-mailadres of de naam van je organisatie.",
    "site": "het bevat de naam van dit registratiesysteem.",
    "repeat": "het bestaat uit herhalingen (zoals ‘aaa’ of ‘abcabc’).",
    "sequence": "het bevat een reeks (zoals ‘abcd’ of ‘123456’).",
    "spatial": "het volgt een toetsenbordpatroon (zoals ‘qwerty’ of ‘azerty’).",
    "date": "het steunt op een jaartal of een datum.",
    "common": "het lijkt op een veelgebruikt wachtwoord.",
    "words": "het bestaat vooral uit gewone woorden of namen.",
    "other": "het is te voorspelbaar.",
}

# Words anyone would try against this site, whoever the user is.
SITE_WORDS = ("arbeidszorg", "registratiesysteem", "registratie")

# zxcvbn keeps the user inputs in a module-wide dictionary while it runs: one check at a time.
_lock = threading.Lock()


def context_words(email: str | None, organisation: str | None) -> list[str]:
    """The e-mail address, its parts and the organisation's name (whole and word by word)."""
    words: list[str] = list(SITE_WORDS)
    email = (email or "").strip().lower()
    if email:
        local, _, domain = email.partition("@")
        words += [email, local, domain]
        words += re.split(r"[._+\-]", local)
        words += domain.split(".")[:-1]  # not the top-level domain
    name = (organisation or "").strip().lower()
    if name:
        parts = re.findall(r"\w+", name)
        words += [name, "".join(parts)]
        words += parts
    return [w for w in dict.fromkeys(words) if len(w) >= 3]


def _reason(result: dict) -> str:
    matches = result["sequence"]
    own = [m["matched_word"] for m in matches
           if m["pattern"] == "dictionary" and m.get("dictionary_name") == "user_inputs"]
    if any(word not in SITE_WORDS for word in own):
        return REASONS["context"]
    if own:
        return REASONS["site"]
    worst = max(matches, key=lambda m: len(m["token"]), default=None)
    if worst is None:
        return REASONS["other"]
    pattern = worst["pattern"]
    if pattern in ("repeat", "sequence", "spatial", "date"):
        return REASONS[pattern]
    if pattern == "regex":  # recent years
        return REASONS["date"]
    if pattern == "dictionary":
        return REASONS["common" if worst.get("dictionary_name") == "passwords" else "words"]
    return REASONS["other"]


def problem(password: str, email: str | None = None, organisation: str | None = None) -> str | None:
    """None when the password is long and hard enough to guess; else a Dutch reason."""
    if len(password or "") < MIN_LENGTH:
        return TOO_SHORT
    with _lock:
        result = zxcvbn(password[:MAX_CHECKED], user_inputs=context_words(email, organisation))
    if result["score"] >= MIN_SCORE:
        return None
    return WEAK.format(reason=_reason(result), tip=TIP)
