"""The database schema (SQLAlchemy 2 typed ORM). Datetimes are naive UTC."""

from datetime import UTC, date, datetime
from decimal import Decimal

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    """The current time as naive UTC (how every datetime is stored)."""
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })


class Region(Base):
    __tablename__ = "region"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer, default=0)


class Organisation(Base):
    __tablename__ = "organisation"
    # what the report's fingerprint and the statistics cache read, from the index alone
    # (migration 0013: every write renews a data_version, so the table itself has many dead rows)
    __table_args__ = (Index("ix_organisation_region_id_id_data_version", "region_id", "id",
                            "data_version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # the organisation's data key, wrapped (encrypted) by the master key; see app/crypto.py
    data_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    # last volgnummer handed out; bumped with UPDATE … RETURNING so numbers are never reused
    last_client_nr: Mapped[int] = mapped_column(Integer, default=0)
    # public profile (/profiel, /arbeidszorginitiatieven)
    public_name: Mapped[str | None] = mapped_column(String(200))
    street: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(10))
    municipality: Mapped[str | None] = mapped_column(String(100))
    website: Mapped[str | None] = mapped_column(String(300))
    doeners_url: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    werkvormen: Mapped[str | None] = mapped_column(String(1000))  # comma-separated codes
    show_public: Mapped[bool] = mapped_column(Boolean, default=False)
    # renewed (+1) in every transaction that changes one of its clients or periods
    # (app/dataversion.py): the statistics cache each organisation's counts under it
    data_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # when a beheerder last asked to change one of its login addresses (app/auth/login_change.py):
    # the dashboard looks for login-change notices only while one can still be shown
    last_login_change_at: Mapped[datetime | None] = mapped_column(DateTime)

    region: Mapped[Region] = relationship(lazy="joined")


def colleague_label(account_id: int) -> str:
    """What a beheerder reads instead of a colleague login's address (audit log)."""
    return f"collega-login #{account_id}"


class Account(UserMixin, Base):
    __tablename__ = "account"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    password_hash: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))  # "org" or "admin"
    is_super: Mapped[bool] = mapped_column(Boolean, default=False)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # wrong passwords from browsers without a device cookie of this account (untrusted clients):
    # how many since failed_since; LOCKOUT_AFTER_FAILURES of them within LOCKOUT_WINDOW_HOURS lock
    # untrusted clients out until locked_until (a trusted device still gets in, see TrustedDevice)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    failed_since: Mapped[datetime | None] = mapped_column(DateTime)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    # contact details of a beheerder, shown on /contact
    contact_organisation: Mapped[str | None] = mapped_column(String(200))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(50))
    contact_email: Mapped[str | None] = mapped_column(String(254))  # none: no e-mail on /contact
    # an organisation's main login (the one the beheerder created); colleague logins are not
    is_main: Mapped[bool] = mapped_column(Boolean, default=False)
    # a colleague login that was removed: kept (inactive, address freed) for the audit trail
    removed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # two-step verification (TOTP, RFC 6238): the secret sealed by the master key (associated data
    # "totp:<account id>", see app/keys.py), set when the first code confirmed it; the last
    # accepted time step, so a code is accepted once. Recovery codes: RecoveryCode.
    totp_secret_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(DateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    organisation: Mapped[Organisation | None] = relationship(lazy="joined")
    region: Mapped[Region | None] = relationship(lazy="joined")

    login_token = None  # set by the session loader (str); not a column

    @property
    def is_admin(self) -> bool:
        return self.kind == "admin"

    @property
    def is_org(self) -> bool:
        return self.kind == "org"

    @property
    def is_colleague(self) -> bool:
        """An organisation's personal colleague login (not its main login)."""
        return self.kind == "org" and not self.is_main

    @property
    def audit_label(self) -> str:
        """How audit details name this login: beheerders never see a colleague's address."""
        return colleague_label(self.id) if self.is_colleague else self.email

    @property
    def has_2fa(self) -> bool:
        """Whether two-step verification is on (set up and confirmed with a first code)."""
        return self.totp_enabled_at is not None and self.totp_secret_enc is not None

    def get_id(self) -> str | None:
        """Flask-Login keeps the login-session token, not the account id, in the cookie."""
        return self.login_token


class LoginSession(Base):
    """A server-side record of one login, so logout and password resets can revoke cookies."""

    __tablename__ = "login_session"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the cookie token
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class FormDraft(Base):
    """A form posted after its login session expired (SPEC §12 "Nothing typed is lost"): the
    posted fields sealed under a key derived from the organisation's data key and a random token
    that only the posting browser's cookie holds (the id here is its sha256). Restored once, on
    the same path, after a login of the same organisation; gone after FORM_DRAFT_MINUTES."""

    __tablename__ = "form_draft"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the cookie token
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(300))
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class TrustedDevice(Base):
    """A browser that logged in to the account before: it holds a signed device cookie with a
    nonce whose hash is the id here (OWASP "device cookies"). Wrong passwords from it are
    counted here, and lock out only this browser, never the account's other devices."""

    __tablename__ = "trusted_device"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the cookie nonce
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    failed_since: Mapped[datetime | None] = mapped_column(DateTime)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)


class RecoveryCode(Base):
    """A single-use recovery code for two-step verification; only its sha256 is stored (the
    codes are random, about 59 bits each, so a fast hash is enough)."""

    __tablename__ = "recovery_code"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)


class AccountToken(Base):
    """A single-use link token (password reset or invitation); only its hash is stored."""

    __tablename__ = "account_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(10))  # "reset" or "invite"
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)


class LoginChange(Base):
    """A beheerder's change of a login address (SPEC §11 "No way in for a beheerder").

    For an account with a password the change is pending: it takes effect only when the new
    address confirms it after LOGIN_CHANGE_DELAY_HOURS and nobody cancelled it (the old address
    got a cancel link). An account without a password is readdressed at once (applied_at set
    immediately, no tokens). Only the hashes of the two link tokens are stored.
    """

    __tablename__ = "login_change"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    old_email: Mapped[str] = mapped_column(String(254))
    new_email: Mapped[str] = mapped_column(String(254))
    requested_by: Mapped[int | None] = mapped_column(Integer)  # the beheerder; no FK: history
    requested_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    confirm_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    cancel_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    applied_at: Mapped[datetime | None] = mapped_column(DateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime)


class CodeList(Base):
    __tablename__ = "code_list"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    options: Mapped[list["CodeOption"]] = relationship(
        order_by="CodeOption.position", back_populates="code_list")


class CodeOption(Base):
    __tablename__ = "code_option"
    __table_args__ = (UniqueConstraint("list_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("code_list.id"))
    code: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(Integer, default=0)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    ladder: Mapped[int | None] = mapped_column(Integer)
    code_list: Mapped[CodeList] = relationship(back_populates="options")


CLIENT_CODE_FIELDS = (
    "geslacht", "burgerlijke_staat", "hoofdproblematiek", "leefsituatie", "onderwijsniveau",
    "verwijzer", "hoofdinkomen", "vergoeding", "bezoldigd_circuit", "subsidie", "overeenkomst",
    "methodiek",
)


class Client(Base):
    __tablename__ = "client"
    __table_args__ = (
        UniqueConstraint("organisation_id", "nr"),
        Index("ix_client_organisation_id_old_nr", "organisation_id", "old_nr"),
        # the dashboard's count and page of numbers read this index alone (clients/services.py)
        Index("ix_client_organisation_id_nr_last_end_old_nr", "organisation_id", "nr", "last_end",
              "old_nr"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    nr: Mapped[int] = mapped_column(Integer)
    old_nr: Mapped[str | None] = mapped_column(String(50))
    name_enc: Mapped[bytes | None] = mapped_column(LargeBinary)  # AES-GCM, see app/crypto.py
    birth_date: Mapped[date] = mapped_column(Date)
    postcode_woonplaats: Mapped[str] = mapped_column(String(10))
    postcode_tewerkstelling: Mapped[str] = mapped_column(String(10))
    geslacht: Mapped[str] = mapped_column(String(64))
    burgerlijke_staat: Mapped[str] = mapped_column(String(64))
    hoofdproblematiek: Mapped[str] = mapped_column(String(64))
    leefsituatie: Mapped[str] = mapped_column(String(64))
    onderwijsniveau: Mapped[str] = mapped_column(String(64))
    verwijzer: Mapped[str] = mapped_column(String(64))
    hoofdinkomen: Mapped[str] = mapped_column(String(64))
    vergoeding: Mapped[str] = mapped_column(String(64))
    bezoldigd_circuit: Mapped[str] = mapped_column(String(64))
    subsidie: Mapped[str] = mapped_column(String(64))
    overeenkomst: Mapped[str] = mapped_column(String(64))
    methodiek: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    # copy of the latest period (by start date), kept by clients.services so the dashboard
    # lists and filters active/inactive clients without scanning periods
    last_period_id: Mapped[int | None] = mapped_column(Integer)
    last_start: Mapped[date | None] = mapped_column(Date)
    last_end: Mapped[date | None] = mapped_column(Date)

    periods: Mapped[list["Period"]] = relationship(
        order_by="Period.start_date", back_populates="client",
        cascade="all, delete-orphan", passive_deletes=True)


class Period(Base):
    __tablename__ = "period"
    __table_args__ = (Index("ix_period_client_id_start_date", "client_id", "start_date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"))
    hours: Mapped[Decimal] = mapped_column(Numeric(4, 1))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    reden_stopzetting: Mapped[str | None] = mapped_column(String(64))
    perspectief: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    client: Mapped[Client] = relationship(back_populates="periods")


class AuditEvent(Base):
    """Who did what, when. Never a client name, a password or a token."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_at", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    account_id: Mapped[int | None] = mapped_column(Integer)  # no FK: history outlives accounts
    actor: Mapped[str | None] = mapped_column(String(254))
    organisation_id: Mapped[int | None] = mapped_column(Integer, index=True)
    ip: Mapped[str | None] = mapped_column(String(45))
    details: Mapped[str | None] = mapped_column(Text)  # JSON


class AppMeta(Base):
    """Small key/value facts about this installation (e.g. the master key check value)."""

    __tablename__ = "app_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[bytes] = mapped_column(LargeBinary)


class StatisticsTally(Base):
    """One organisation's counts of one year (app/beheer/statistics.py `Tally`, as JSON: codes and
    numbers, never a name), stored after a recount so that a new process does not count every
    organisation again. Valid only while `data_version` equals the organisation's and `layout`
    equals the counting code's `TALLY_LAYOUT`; anything else is ignored and overwritten."""

    __tablename__ = "statistics_tally"
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    data_version: Mapped[int] = mapped_column(Integer)
    layout: Mapped[int] = mapped_column(Integer)
    payload: Mapped[str] = mapped_column(Text)


class RegistrationRound(Base):
    """A registration round (SPEC §12): a beheerder asks the organisations of its scope to check
    and confirm their registrations of `year` by `deadline`. `region_id` None: every region
    (only a superbeheerder opens such a round)."""

    __tablename__ = "registration_round"
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    deadline: Mapped[date] = mapped_column(Date)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"))
    opened_by: Mapped[int | None] = mapped_column(Integer)  # the beheerder; no FK: history
    opened_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    region: Mapped[Region | None] = relationship(lazy="joined")


class RegistrationRoundRegion(Base):
    """The regions a round covers (one row, or one per region for an all-regions round).
    Unique per (year, region): a region never has two rounds for one year, enforced by the
    database even when two beheerders open one at the same moment."""

    __tablename__ = "registration_round_region"
    __table_args__ = (UniqueConstraint("year", "region_id"),)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("registration_round.id", ondelete="CASCADE"), primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer)


class RegistrationConfirmation(Base):
    """An organisation's "Mijn registraties voor JJJJ zijn volledig": when and by which login."""

    __tablename__ = "registration_confirmation"
    __table_args__ = (UniqueConstraint("round_id", "organisation_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("registration_round.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    account_id: Mapped[int | None] = mapped_column(Integer)  # the login; no FK: history
    confirmed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class RegistrationReminder(Base):
    """The reminder mail of a round; unique per round: one reminder, enforced by the database."""

    __tablename__ = "registration_reminder"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("registration_round.id", ondelete="CASCADE"), unique=True)
    sent_by: Mapped[int | None] = mapped_column(Integer)  # the beheerder; no FK: history
    sent_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    organisations: Mapped[int] = mapped_column(Integer, default=0)  # how many were reminded
    mails: Mapped[int] = mapped_column(Integer, default=0)  # how many mails went out
