"""Piccolo tables: the whole schema. `booking/db` is the only package that imports piccolo.

Conventions: ids are UUIDs; instants are `Timestamptz` in UTC truncated to whole seconds (SQLite
stores them as text, so one shape keeps text comparison right); claims additionally carry epoch
seconds, which the overlap guards compare.
"""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    UUID,
    BigInt,
    Boolean,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    Numeric,
    SmallInt,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table


class Organisation(Table, tablename="organisations"):
    """A school, a company, a region (network) or the platform itself."""

    id = UUID(primary_key=True)
    kind = Varchar(length=16, index=True)  # school | company | region | platform
    name = Varchar(length=200)
    kvk = Varchar(length=8, null=True, default=None)  # companies: 8 digits
    brin = Varchar(length=4, null=True, default=None)  # schools: e.g. 25LX
    level = Varchar(length=8, null=True, default=None)  # schools: MBO | HBO
    is_sme = Boolean(default=False)  # companies: MKB
    city = Varchar(length=100, default="")
    region: ForeignKey[Organisation] = ForeignKey(
        references="Organisation", null=True, on_delete=OnDelete.set_null
    )
    created_at = Timestamptz()
    contact_name = Varchar(length=200, default="")  # issue 14: whom a booker calls
    contact_email = Varchar(length=254, default="")
    contact_phone = Varchar(length=40, default="")


class Partnership(Table, tablename="partnerships"):
    """A company is a partner of a school, which can widen what it may book."""

    id = UUID(primary_key=True)
    school = ForeignKey(references=Organisation, on_delete=OnDelete.cascade, index=True)
    company = ForeignKey(references=Organisation, on_delete=OnDelete.cascade, index=True)
    valid_from = Date(null=True, default=None)  # inclusive, local (Europe/Amsterdam) dates
    valid_to = Date(null=True, default=None)  # inclusive; null: open-ended
    created_at = Timestamptz(null=True, default=None)


class User(Table, tablename="users"):
    id = UUID(primary_key=True)
    email = Varchar(length=254, unique=True)
    name = Varchar(length=200)
    password_hash = Text()
    locale = Varchar(length=5, default="nl")
    is_active = Boolean(default=True)
    created_at = Timestamptz()
    reminders = Boolean(default=True)  # a mail 24 h before each booking starts
    digest = Boolean(default=False)  # facility managers: new requests in one daily mail
    last_seen_at = Timestamptz(null=True, default=None)  # touched at most daily (privacy.md)
    anonymised_at = Timestamptz(null=True, default=None)


class Membership(Table, tablename="memberships"):
    """A user's role in one organisation; a person may hold several."""

    id = UUID(primary_key=True)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    organisation = ForeignKey(references=Organisation, on_delete=OnDelete.cascade, index=True)
    role = Varchar(length=32)  # booker | facility_manager | staff | coordinator | admin


class Site(Table, tablename="sites"):
    id = UUID(primary_key=True)
    school = ForeignKey(references=Organisation, on_delete=OnDelete.restrict, index=True)
    name = Varchar(length=200)
    address = Varchar(length=300, default="")
    postcode = Varchar(length=7, default="")
    city = Varchar(length=100, default="")
    latitude = DoublePrecision(null=True, default=None)
    longitude = DoublePrecision(null=True, default=None)
    timezone = Varchar(length=64, default="Europe/Amsterdam")


class Resource(Table, tablename="resources"):
    """A lab or a piece of equipment (equipment may sit inside a lab: `parent`)."""

    id = UUID(primary_key=True)
    school = ForeignKey(references=Organisation, on_delete=OnDelete.restrict, index=True)
    site = ForeignKey(references=Site, on_delete=OnDelete.restrict, index=True)
    parent: ForeignKey[Resource] = ForeignKey(
        references="Resource", null=True, on_delete=OnDelete.restrict, index=True
    )
    kind = Varchar(length=16)  # lab | equipment
    name = Varchar(length=200)
    description = Text(default="")
    capacity = Integer(default=1)
    tags = JSON(default=[])  # list of skill tags, lower case
    visibility = Varchar(length=16, default="public")
    rates = JSON(default=[])  # [{customer_class, hourly: "85.00", currency}]
    approval_required = Boolean(default=False)
    slot_minutes = Integer(default=30)
    min_notice_minutes = Integer(default=1440)
    max_advance_days = Integer(default=180)
    min_duration_minutes = Integer(default=60)
    max_duration_minutes = Integer(default=480)
    buffer_before_minutes = Integer(default=0)
    buffer_after_minutes = Integer(default=0)
    bookable_by = Varchar(length=16, default="all")
    induction_required = Boolean(default=False)
    quota_hours_per_week = Integer(null=True, default=None)
    updated_at = Timestamptz()
    contact_name = Varchar(length=200, default="")  # issue 14: "" falls back to the school's
    contact_email = Varchar(length=254, default="")
    contact_phone = Varchar(length=40, default="")


class ResourceTag(Table, tablename="resource_tags"):
    """One row per (resource, tag): what the tag filter searches."""

    id = UUID(primary_key=True)
    resource = ForeignKey(references=Resource, on_delete=OnDelete.cascade, index=True)
    tag = Varchar(length=40, index=True)


class OpeningRule(Table, tablename="opening_rules"):
    """Weekly opening hours in the site's local time; `weekday` 1 = Monday … 7 = Sunday."""

    id = UUID(primary_key=True)
    resource = ForeignKey(references=Resource, on_delete=OnDelete.cascade, index=True)
    weekday = SmallInt()
    opens = Varchar(length=5)  # "HH:MM"
    closes = Varchar(length=5)  # "HH:MM"; "24:00" allowed
    valid_from = Date(null=True, default=None)
    valid_to = Date(null=True, default=None)  # inclusive


class OpeningException(Table, tablename="opening_exceptions"):
    """A date whose hours differ from the weekly rules: extra hours, or closed (opens null)."""

    id = UUID(primary_key=True)
    resource = ForeignKey(references=Resource, on_delete=OnDelete.cascade, index=True)
    date = Date()
    opens = Varchar(length=5, null=True, default=None)
    closes = Varchar(length=5, null=True, default=None)


class CalendarImport(Table, tablename="calendar_imports"):
    """An ICS source (URL or upload) whose events become closures of a site or resource."""

    id = UUID(primary_key=True)
    school = ForeignKey(references=Organisation, on_delete=OnDelete.cascade, index=True)
    site = ForeignKey(references=Site, null=True, on_delete=OnDelete.cascade)
    resource = ForeignKey(references=Resource, null=True, on_delete=OnDelete.cascade)
    kind = Varchar(length=16)  # timetable | holidays
    url = Text(null=True, default=None)
    ics = Text(null=True, default=None)  # uploaded body
    status = Varchar(length=16, default="pending")  # ok | error | pending
    last_fetched_at = Timestamptz(null=True, default=None)
    last_success_at = Timestamptz(null=True, default=None)
    last_error = Text(null=True, default=None)
    events = Integer(default=0)
    etag = Text(null=True, default=None)
    last_modified = Text(null=True, default=None)
    content_hash = Varchar(length=64, null=True, default=None)
    failures = Integer(default=0)
    next_fetch_at = Timestamptz(null=True, default=None)
    locked_until = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    skipped = Text(null=True, default=None)  # JSON [{uid, code}] of the last read (migration 16)


class Closure(Table, tablename="closures"):
    """Time a resource (or every resource of a site) is unavailable: holidays, maintenance,
    the school's own use, imported timetable events."""

    id = UUID(primary_key=True)
    resource = ForeignKey(references=Resource, null=True, on_delete=OnDelete.cascade, index=True)
    site = ForeignKey(references=Site, null=True, on_delete=OnDelete.cascade, index=True)
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz(index=True)
    reason = Varchar(length=300, default="")
    kind = Varchar(length=16, default="closure")  # closure | maintenance | holiday | timetable
    source = ForeignKey(
        references=CalendarImport, null=True, on_delete=OnDelete.cascade, index=True
    )


class Induction(Table, tablename="inductions"):
    """A company's completed safety induction on a resource, recorded by the school's facility
    manager; one on a lab covers the equipment inside it. Several rows may exist (history)."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, on_delete=OnDelete.cascade, index=True)
    resource = ForeignKey(references=Resource, on_delete=OnDelete.cascade, index=True)
    completed_at = Timestamptz()
    recorded_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)


class Booking(Table, tablename="bookings"):
    """A company's request for one resource or a bundle, once or as a recurring series."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, on_delete=OnDelete.restrict, index=True)
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    title = Varchar(length=200, default="")
    status = Varchar(length=16, index=True)  # pending|confirmed|declined|expired|cancelled
    students = Integer(default=0)
    employees = Integer(default=0)
    price_amount = Numeric(digits=(12, 2))
    currency = Varchar(length=3, default="EUR")
    rrule = Text(null=True, default=None)
    starts_at = Timestamptz(index=True)  # first occurrence's start
    ends_at = Timestamptz(index=True)  # last occurrence's end
    version = Integer(default=1)  # bumped on every change: the ETag
    sequence = Integer(default=0)  # ICS SEQUENCE: bumped on change of time, status or resource
    decision_message = Text(default="")
    decided_at = Timestamptz(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    # indexed: MAX(updated_at) is the feeds' cheap "did any booking change" probe
    updated_at = Timestamptz(index=True)


class BookingResource(Table, tablename="booking_resources"):
    """The resources a booking asked for (the claims add a lab's equipment)."""

    id = UUID(primary_key=True)
    booking = ForeignKey(references=Booking, on_delete=OnDelete.cascade, index=True)
    resource = ForeignKey(references=Resource, on_delete=OnDelete.restrict, index=True)


class Occurrence(Table, tablename="occurrences"):
    """One interval of a booking; a single booking has exactly one, a series several."""

    id = UUID(primary_key=True)
    booking = ForeignKey(references=Booking, on_delete=OnDelete.cascade, index=True)
    position = Integer()  # 0-based index within the series
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    status = Varchar(length=16, default="active")  # active | cancelled (one of a series)


class Claim(Table, tablename="claims"):
    """The time a booking holds on one resource: `[start_s, end_s)` in epoch seconds (UTC),
    buffers included. No two active claims on one resource may overlap: enforced by an
    exclusion constraint (PostgreSQL) or a trigger (SQLite), see the migrations."""

    id = UUID(primary_key=True)
    booking = ForeignKey(references=Booking, on_delete=OnDelete.cascade, index=True)
    occurrence = ForeignKey(references=Occurrence, on_delete=OnDelete.cascade)
    resource = ForeignKey(references=Resource, on_delete=OnDelete.restrict)
    start_s = BigInt()
    end_s = BigInt()
    active = Boolean(default=True)


class IdempotencyRecord(Table, tablename="idempotency_records"):
    """The first response to an `Idempotency-Key`, scoped by organisation, kept >= 24 h."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, on_delete=OnDelete.cascade)
    key = Varchar(length=200)
    request_hash = Varchar(length=64)
    state = Varchar(length=16, default="running")  # running | done
    status_code = Integer(null=True, default=None)
    response_body = Text(null=True, default=None)
    created_at = Timestamptz()


class ApiToken(Table, tablename="api_tokens"):
    """A bearer token: only its SHA-256 is stored; shown once at creation."""

    id = UUID(primary_key=True)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=100)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    last_used_at = Timestamptz(null=True, default=None)


class WebSession(Table, tablename="web_sessions"):
    """A cookie session shared by all workers: only the SHA-256 of the cookie value is stored."""

    id = UUID(primary_key=True)
    session_hash = Varchar(length=64, unique=True)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    csrf_token = Varchar(length=64)
    data = JSON(default={})
    created_at = Timestamptz()
    expires_at = Timestamptz(index=True)


class LoginAttempt(Table, tablename="login_attempts"):
    """Failed logins per account and per client address, for rate limiting across workers."""

    id = UUID(primary_key=True)
    email = Varchar(length=254, index=True)
    client = Varchar(length=64, index=True)
    created_at = Timestamptz(index=True)


class FeedToken(Table, tablename="feed_tokens"):
    """A calendar feed's secret URL token (only its SHA-256 stored); scope me|resource|school."""

    id = UUID(primary_key=True)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    scope = Varchar(length=16)
    organisation = ForeignKey(references=Organisation, null=True, on_delete=OnDelete.cascade)
    resource = ForeignKey(references=Resource, null=True, on_delete=OnDelete.cascade)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)


class JobLock(Table, tablename="job_locks"):
    """Leases for background jobs so that several processes run each job once per period."""

    name = Varchar(length=100, primary_key=True)
    locked_until = Timestamptz()
    holder = Varchar(length=100, default="")


class Invitation(Table, tablename="invitations"):
    """An e-mailed invitation to join an organisation in a role: one-time link, 7 days; only
    the SHA-256 of the link's token is stored."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, on_delete=OnDelete.cascade, index=True)
    email = Varchar(length=254)
    role = Varchar(length=32)
    token_hash = Varchar(length=64, unique=True)
    invited_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    accepted_at = Timestamptz(null=True, default=None)
    accepted_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)


class SignupRequest(Table, tablename="signup_requests"):
    """A company's self-sign-up waiting for its e-mail confirmation (the company and the
    person exist only after it); the password is kept as its argon2 hash, the token as SHA-256."""

    id = UUID(primary_key=True)
    token_hash = Varchar(length=64, unique=True)
    company_name = Varchar(length=200)
    kvk = Varchar(length=8)
    name = Varchar(length=200)
    email = Varchar(length=254, index=True)
    password_hash = Text()
    locale = Varchar(length=5, default="nl")
    created_at = Timestamptz()
    expires_at = Timestamptz()
    confirmed_at = Timestamptz(null=True, default=None)
    organisation = ForeignKey(references=Organisation, null=True, on_delete=OnDelete.set_null)


ALL_TABLES: tuple[type[Table], ...] = (
    Organisation,
    Partnership,
    User,
    Membership,
    Site,
    Resource,
    ResourceTag,
    OpeningRule,
    OpeningException,
    CalendarImport,
    Closure,
    Induction,
    Booking,
    BookingResource,
    Occurrence,
    Claim,
    IdempotencyRecord,
    ApiToken,
    WebSession,
    LoginAttempt,
    FeedToken,
    JobLock,
    Invitation,
    SignupRequest,
)
"""Every table in dependency order (create in this order, drop in reverse)."""


# -- notifications (issue 11; migration 2026-12-08T10) ----------------------------------------


class OutboxMessage(Table, tablename="outbox_messages"):
    """A mail or webhook delivery written in the transaction of the change it reports; the
    worker leases (`locked_until`) and sends it. `payload` is JSON: for mail the template, its
    context and the calendar part, rendered at send time; for a webhook the body and target."""

    kind = Varchar(length=16)  # mail | webhook
    recipient = Varchar(length=500)  # an e-mail address or a webhook URL
    payload = Text()
    status = Varchar(length=16, default="pending")  # pending | sent | failed
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz()
    locked_until = Timestamptz(null=True, default=None)
    last_error = Text(default="")
    created_at = Timestamptz()
    sent_at = Timestamptz(null=True, default=None)
    dedupe_key = Varchar(length=200, null=True, default=None, unique=True)
    webhook = UUID(null=True, default=None)  # the subscription a delivery belongs to


class ItipSequence(Table, tablename="itip_sequences"):
    """The SEQUENCE last sent in an invitation for one calendar UID, raised on every send."""

    uid = Varchar(length=200, primary_key=True)
    sequence = Integer(default=0)


class Webhook(Table, tablename="webhooks"):
    """An integrator's subscription to an organisation's booking events; `secret` signs."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, on_delete=OnDelete.cascade, index=True)
    url = Text()
    events = Text()  # JSON list of event names
    secret = Text()  # sealed (see booking/services/webhook_secrets.py), never shown again
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz()


class DigestItem(Table, tablename="digest_items"):
    """A notification held for a facility manager's daily digest instead of its own mail."""

    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    locale = Varchar(length=5, default="nl")
    line = Text()  # JSON: what the digest lists for one event
    created_at = Timestamptz()


ALL_TABLES = (*ALL_TABLES, OutboxMessage, ItipSequence, Webhook, DigestItem)


class AuditEntry(Table, tablename="audit_entries"):
    """One audited change (who, when, what, a one-line summary); append-only (triggers)."""

    id = UUID(primary_key=True)
    at = Timestamptz()
    actor = UUID(null=True, default=None)  # a user id; no foreign key (people are anonymised)
    action = Varchar(length=64)  # e.g. booking.approved, closure.created
    object_type = Varchar(length=32)
    object_id = Varchar(length=64)
    summary = Text(default="")


class AuditScope(Table, tablename="audit_scopes"):
    """An organisation that may read an audit entry (the school, the company, …)."""

    id = UUID(primary_key=True)
    entry = UUID()
    organisation = UUID()
    at = Timestamptz()  # the entry's time, for paging per organisation in index order


class PasswordReset(Table, tablename="password_resets"):
    """A password-reset request; `user`/`token_hash` only when the address has an account."""

    id = UUID(primary_key=True)
    user = ForeignKey(references=User, null=True, on_delete=OnDelete.cascade)
    email_hash = Varchar(length=64)
    client = Varchar(length=64)
    token_hash = Varchar(length=64, null=True, default=None, unique=True)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


ALL_TABLES = (*ALL_TABLES, AuditEntry, AuditScope, PasswordReset)  # issue 12 (accounts, audit)


class ResourcePhoto(Table, tablename="resource_photos"):
    """A photo of a resource: re-encoded files under the data directory, named by content hash."""

    id = UUID(primary_key=True)
    resource = ForeignKey(references=Resource, on_delete=OnDelete.cascade, index=True)
    alt = Varchar(length=300)
    digest = Varchar(length=64)  # SHA-256 of the stored (resized, metadata-free) image
    thumb_digest = Varchar(length=64)
    width = Integer()
    height = Integer()
    position = Integer(default=0)
    created_at = Timestamptz()


ALL_TABLES = (*ALL_TABLES, ResourcePhoto)  # issue 14 (photos)
