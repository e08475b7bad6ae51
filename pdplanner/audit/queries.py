"""Audit reads: a district's events, filtered, and the names their sentences mention."""

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import selectinload

from pdplanner.accounts.models import User
from pdplanner.assessments.models import Cycle
from pdplanner.audit.labels import EventNames, KnownPerson, kind_title, sentence
from pdplanner.audit.models import AuditEvent
from pdplanner.extensions import db
from pdplanner.framework.models import Framework
from pdplanner.organisation.models import District, School
from pdplanner.planning.models import Cohort, PathActivity, Resource
from pdplanner.planning.queries import cohort_name, focus_names, lane_labels

# Exports read and name events this many at a time: a district's log runs to millions of events,
# and one batch's names stay well under SQLite's 32,766 bound values per statement.
EXPORT_BATCH = 2000


@dataclass(frozen=True)
class AuditFilter:
    """What the audit page and its exports are narrowed to; every part is optional.
    `person_id` matches events the person caused, events about their account, and events about
    their plan (the educator of a path activity, a lane or a cohort membership)."""

    person_id: int | None = None
    kind: str | None = None
    since: date | None = None      # from this day (UTC), inclusive
    until: date | None = None      # to this day (UTC), inclusive


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def district_events(district_id: int, only: AuditFilter = AuditFilter()) -> Select:
    """A select() of a district's audit events, newest first, narrowed by `only`."""
    query = (select(AuditEvent).options(selectinload(AuditEvent.actor))
             .where(AuditEvent.district_id == district_id)
             .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()))
    if only.person_id is not None:
        query = query.where(or_(
            AuditEvent.actor_id == only.person_id,
            and_(AuditEvent.subject_type == "user", AuditEvent.subject_id == only.person_id),
            AuditEvent.details["educator_id"].as_integer() == only.person_id,
        ))
    if only.kind:
        query = query.where(AuditEvent.action == only.kind)
    if only.since:
        query = query.where(AuditEvent.occurred_at >= _start_of(only.since))
    if only.until:
        query = query.where(AuditEvent.occurred_at < _start_of(only.until + timedelta(days=1)))
    return query


def person_in_district(district_id: int, email: str) -> User | None:
    """The person the filter names by email. Deleted accounts are gone: their events stay, found
    by kind and date."""
    return db.session.scalar(select(User).where(User.district_id == district_id,
                                                func.lower(User.email) == email.strip().lower()))


def names_for(events: list[AuditEvent], district_id: int) -> EventNames:
    """Every name the events' sentences mention, in one query per kind of thing."""
    person_ids, emails, cycle_ids, ids_of = set(), set(), set(), {}
    for event in events:
        details = event.details or {}
        person_ids.update(i for i in (event.actor_id, details.get("educator_id")) if isinstance(i, int))
        person_ids.update(i for i in (details.get("educator_ids") or []) + (details.get("coach_id") or [])
                          if isinstance(i, int))
        if event.subject_type == "user" and event.subject_id is not None:
            person_ids.add(event.subject_id)
        if isinstance(details.get("coach"), str):
            emails.add(details["coach"].lower())
        if isinstance(details.get("cycle_id"), int):
            cycle_ids.add(details["cycle_id"])
        if event.subject_type and event.subject_id is not None:
            ids_of.setdefault(event.subject_type, set()).add(event.subject_id)
    cycle_ids |= ids_of.get("cycle", set())
    names = EventNames()
    if person_ids or emails:
        for person in db.session.scalars(select(User).where(or_(
                User.id.in_(person_ids), func.lower(User.email).in_(emails)))):
            names.people[person.id] = KnownPerson(person.name, person.created_at)
            names.people_by_email[person.email.lower()] = person.name
    names.cycles = _named(Cycle.name, Cycle.id, cycle_ids)
    names.schools = _named(School.name, School.id, ids_of.get("school"))
    codes = {e.details.get("school") for e in events if e.action.startswith("role.")} - {None}
    if codes:
        names.schools_by_code = dict(db.session.execute(
            select(School.code, School.name).where(School.district_id == district_id,
                                                   School.code.in_(codes))).all())
    if any(e.action == "lane.overridden" for e in events):
        names.lanes = lane_labels(district_id)
    names.districts = _named(District.name, District.id, ids_of.get("district"))
    names.frameworks = _named(Framework.title, Framework.id, ids_of.get("framework"))
    names.resources = _named(Resource.title, Resource.id, ids_of.get("resource"))
    keys = {e.details.get("resource") for e in events if e.action == "path_activity.removed"} - {None}
    if keys:
        names.resources_by_key = dict(db.session.execute(
            select(Resource.key, Resource.title).where(Resource.key.in_(keys),
                                                        or_(Resource.district_id.is_(None),
                                                            Resource.district_id == district_id))).all())
    if ids_of.get("pathactivity"):
        names.activities = dict(db.session.execute(
            select(PathActivity.id, Resource.title).join(Resource, Resource.id == PathActivity.resource_id)
            .where(PathActivity.id.in_(ids_of["pathactivity"]))).all())
    if ids_of.get("cohort"):
        cohorts = db.session.scalars(select(Cohort).options(selectinload(Cohort.cycle))
                                     .where(Cohort.id.in_(ids_of["cohort"]))).all()
        labels = lane_labels(district_id)
        focus_by_cycle = {c.cycle_id: focus_names(c.cycle) for c in cohorts}
        names.cohorts = {c.id: cohort_name(c, focus_by_cycle[c.cycle_id], labels) for c in cohorts}
    return names


def _named(label_column, id_column, ids) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.session.execute(select(id_column, label_column).where(id_column.in_(ids))).all())


@dataclass(frozen=True)
class EventRow:
    """An event as the page and the exports show it."""

    event: AuditEvent
    kind_title: str
    sentence: str
    actor_name: str

    def export_row(self) -> dict:
        """A row of the audit_events table of the exports (reports.exports.AUDIT_EVENTS)."""
        e = self.event
        actor = e.known_actor
        return {
            "event_id": e.id, "occurred_at": e.occurred_at.isoformat().replace("+00:00", "Z"),
            "kind": e.action, "kind_title": self.kind_title, "description": self.sentence,
            "actor_id": e.actor_id, "actor_name": self.actor_name,
            "actor_email": actor.email if actor is not None else None,
            "subject_type": e.subject_type, "subject_id": e.subject_id,
            "details": json.dumps(e.details or {}, ensure_ascii=False, sort_keys=True),
            "remote_addr": e.remote_addr,
        }


def event_rows(events: list[AuditEvent], district_id: int) -> list[EventRow]:
    names = names_for(events, district_id)
    return [EventRow(e, kind_title(e.action), sentence(e, names), names.actor(e)) for e in events]



def export_rows(district_id: int, only: AuditFilter = AuditFilter()) -> list[dict]:
    """Every event of the filter (no page limit), oldest first, as export rows."""
    query = (district_events(district_id, only).order_by(None)
             .order_by(AuditEvent.occurred_at, AuditEvent.id).execution_options(yield_per=EXPORT_BATCH))
    return [row.export_row() for batch in db.session.scalars(query).partitions()
            for row in event_rows(list(batch), district_id)]
