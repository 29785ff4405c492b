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


class Partnership(Table, tablename="partnerships"):
    """A company is a partner of a school, which can widen what it may book."""

    id = UUID(primary_key=True)
    school = ForeignKey(references=Organisation, on_delete=OnDelete.cascade, index=True)
    company = ForeignKey(references=Organisation, on_delete=OnDelete.cascade, index=True)


class User(Table, tablename="users"):
    id = UUID(primary_key=True)
    email = Varchar(length=254, unique=True)
    name = Varchar(length=200)
    password_hash = Text()
    locale = Varchar(length=5, default="nl")
    is_active = Boolean(default=True)
    created_at = Timestamptz()


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
)
"""Every table in dependency order (create in this order, drop in reverse)."""
