"""Readable audit events: a title per kind (for the filter) and a sentence per event that names
the actor and the subject by name ("Nadia Hoffmann verified evidence for Mateo Chen"), never by
internal keys. Names are looked up once per page of events (`audit.queries.names_for`) and handed
in as `EventNames`, so a sentence is plain string work.

Every kind that `record(...)` or `record_many(...)` writes anywhere in pdplanner needs an entry
in KINDS; tests/audit/test_labels.py reads the source and fails on a kind without one."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from pdplanner.audit.models import AuditEvent


@dataclass(frozen=True)
class KnownPerson:
    name: str
    created_at: datetime


@dataclass
class EventNames:
    """What the sentences of some events mention, by id (or, for coaches named in older
    caseload events, by email)."""

    people: dict[int, KnownPerson] = field(default_factory=dict)
    people_by_email: dict[str, str] = field(default_factory=dict)
    cycles: dict[int, str] = field(default_factory=dict)
    cohorts: dict[int, str] = field(default_factory=dict)
    schools: dict[int, str] = field(default_factory=dict)
    schools_by_code: dict[str, str] = field(default_factory=dict)
    lanes: dict[str, str] = field(default_factory=dict)        # "fast"/"slow" -> the district's label
    districts: dict[int, str] = field(default_factory=dict)
    frameworks: dict[int, str] = field(default_factory=dict)
    resources: dict[int, str] = field(default_factory=dict)
    resources_by_key: dict[str, str] = field(default_factory=dict)
    activities: dict[int, str] = field(default_factory=dict)   # path activity id -> its activity's title

    def person(self, person_id: int | None, at: datetime, gone: str = "a deleted person") -> str:
        """A person's name, unless the account is gone (deleted, or its id reused by a newer
        account, which cannot have been part of an older event)."""
        known = self.people.get(person_id) if person_id is not None else None
        return known.name if known is not None and known.created_at <= at else gone

    def actor(self, event: AuditEvent) -> str:
        return "the system" if event.actor_id is None else self.person(event.actor_id, event.occurred_at)

    def subject_person(self, event: AuditEvent) -> str:
        gone = event.details.get("email") or "a deleted person"
        return self.person(event.subject_id, event.occurred_at, gone=gone)

    def educator(self, event: AuditEvent) -> str:
        return self.person(event.details.get("educator_id"), event.occurred_at)

    def educators_of(self, event: AuditEvent) -> str:
        """`their` when the actor acts on their own record, else `<name>'s`."""
        educator_id = event.details.get("educator_id", event.subject_id)
        if educator_id == event.actor_id:
            return "their"
        return f"{self.person(educator_id, event.occurred_at)}'s"

    def coach_by_email(self, event: AuditEvent) -> str:
        email = event.details.get("coach") or ""
        return self.people_by_email.get(email.lower(), email or "a coach")

    def cycle(self, event: AuditEvent) -> str:
        cycle_id = event.subject_id if event.subject_type == "cycle" else event.details.get("cycle_id")
        name = self.cycles.get(cycle_id) or event.details.get("name")
        return f"cycle “{name}”" if name else "a purged cycle"

    def cohort(self, event: AuditEvent) -> str:
        name = self.cohorts.get(event.subject_id)
        return f"the cohort “{name}”" if name else "a cohort no longer planned"

    def activity(self, event: AuditEvent) -> str:
        title = (self.activities.get(event.subject_id)
                 or self.resources_by_key.get(event.details.get("resource") or ""))
        return f"“{title}”" if title else "an activity"

    def resource(self, event: AuditEvent) -> str:
        title = (self.resources.get(event.subject_id)
                 or self.resources_by_key.get(event.details.get("key") or ""))
        return f"“{title}”" if title else "a learning activity"


Sentence = Callable[[AuditEvent, EventNames], str]


@dataclass(frozen=True)
class Kind:
    title: str            # what the filter's list says: "Evidence verified"
    sentence: Sentence    # the event in words, starting with its actor


def _detail(event: AuditEvent, key: str, missing=""):
    """A detail as recorded; events written by older releases may lack it."""
    value = (event.details or {}).get(key)
    return missing if value is None else value


def _role(event: AuditEvent, n: EventNames) -> str:
    role = str(event.details.get("role", ""))
    words = {"teacher": "a teacher", "coach": "a coach", "principal": "a principal",
             "district_admin": "a district admin"}.get(role, role or "a role")
    school = event.details.get("school")
    return f"{words} at {n.schools_by_code.get(school, school)}" if school else words


def _lane_change(event: AuditEvent, n: EventNames) -> str:
    lane = (event.details.get("lane") or [None, None])[-1]
    # The district's own name for the lane: "fast" and "slow" are internal keys.
    return f"{n.actor(event)} moved {n.educator(event)} to the lane “{n.lanes.get(lane, lane)}”"


def _cohort_coach(event: AuditEvent, n: EventNames) -> str:
    before, after = (event.details.get("coach_id") or [None, None])[:2]
    at = event.occurred_at
    return (f"{n.actor(event)} changed the coach of {n.cohort(event)} from "
            f"{n.person(before, at, gone='nobody') if before else 'nobody'} to "
            f"{n.person(after, at, gone='nobody') if after else 'nobody'}")


def _path_assigned(event: AuditEvent, n: EventNames) -> str:
    ids = event.details.get("educator_ids") or []
    whom = (f"the cohort “{event.details['cohort']}”" if event.details.get("cohort")
            else n.person(ids[0], event.occurred_at) if len(ids) == 1
            else f"{len(ids)} educators")
    return f"{n.actor(event)} assigned {n.resource(event)} to {whom}"


def _activity_status(event: AuditEvent, n: EventNames) -> str:
    status = (event.details.get("status") or ["", ""])[-1]
    words = {"planned": "not started", "in_progress": "in progress", "done": "done",
             "verified": "verified"}.get(status, status)
    return f"{n.actor(event)} marked {n.educators_of(event)} activity {n.activity(event)} as {words}"


def _download(event: AuditEvent, n: EventNames) -> str:
    if event.subject_type == "user" and event.subject_id == event.actor_id:
        return f"{n.actor(event)} downloaded their own data ({event.details.get('file', 'an export')})"
    about = f" about {n.subject_person(event)}" if event.subject_type == "user" else ""
    return f"{n.actor(event)} downloaded {event.details.get('file', 'an export')}{about}"


def _password(event: AuditEvent, n: EventNames) -> str:
    if event.actor_id == event.subject_id:
        return f"{n.actor(event)} changed their password"
    return f"{n.actor(event)} set the password of {n.subject_person(event)}"


# The planning settings in the words of their form (pdplanner/planning/forms.py).
SETTING_WORDS = {
    "current_level_policy": "current level", "goals_per_educator": "goals per educator",
    "goals_per_domain": "goals per domain", "interest_bonus": "bonus for wanting to grow",
    "foundational_bonus": "bonus for foundational competencies",
    "fast_lane_readiness": "readiness for the first lane",
    "fast_lane_min_domain_mean": "lowest domain mean for the first lane",
    "fast_lane_label": "name of the first lane", "slow_lane_label": "name of the second lane",
    "cohort_min_size": "smallest cohort", "cohort_max_size": "largest cohort",
    "coach_caseload_limit": "cohort members per coach",
}


def _settings_changed(event: AuditEvent, n: EventNames) -> str:
    changed = event.details.get("changed") or {}
    words = ", ".join(SETTING_WORDS.get(k, k.replace("_", " ")) for k in changed)
    return f"{n.actor(event)} changed the planning rules ({words})"


def _person_updated(event: AuditEvent, n: EventNames) -> str:
    changes = event.details.get("changes") or []
    what = f": {'; '.join(str(c) for c in changes)}" if changes else ""
    return f"{n.actor(event)} updated {n.subject_person(event)}{_via_roster(event)}{what}"


def _ratings(event: AuditEvent, noun: str) -> str:
    """How many competencies were rated; the details never hold the levels or notes (whoever
    reads the log may not see unshared self-ratings)."""
    count = len(_detail(event, "competencies", []))
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _counted(event: AuditEvent, keys: tuple[str, ...]) -> str:
    return ", ".join(f"{event.details.get(k, 0)} {k.replace('_', ' ')}" for k in keys)


def _via_roster(event: AuditEvent) -> str:
    return " (roster import)" if event.details.get("via") == "roster" else ""


def _sign_in_failed(event: AuditEvent, n: EventNames) -> str:
    if event.subject_type == "user":
        return f"A sign-in as {n.subject_person(event)} failed (wrong password or inactive account)"
    return f"A sign-in with the unknown email {event.details.get('email', '')} failed"


def _retention(event: AuditEvent, n: EventNames) -> str:
    months = (event.details.get("months") or [None, None])[-1]
    kept = f"{months} months" if months else "for ever"
    return f"{n.actor(event)} set the district to keep closed cycles {kept}"


KINDS: dict[str, Kind] = {
    # Accounts and access
    "sign_in.succeeded": Kind("Signed in", lambda e, n: f"{n.actor(e)} signed in"),
    "sign_in.failed": Kind("Sign-in failed", _sign_in_failed),
    "sign_out": Kind("Signed out", lambda e, n: f"{n.actor(e)} signed out"),
    "password.changed": Kind("Password changed", _password),
    "set_password_link.issued": Kind(
        "Set-password link issued",
        lambda e, n: f"{n.actor(e)} issued a set-password link for {n.subject_person(e)}"),
    "api_token.created": Kind(
        "API token created",
        lambda e, n: f"{n.actor(e)} created the API token “{_detail(e, 'name')}” for {n.subject_person(e)}"),
    "api_token.revoked": Kind(
        "API token revoked",
        lambda e, n: f"{n.actor(e)} revoked the API token “{_detail(e, 'name')}” of {n.subject_person(e)}"),
    "access.denied": Kind(
        "Access refused",
        lambda e, n: f"{n.actor(e)} was refused {e.details.get('method', '')} {e.details.get('path', '')}"),
    # People and organisation
    "user.created": Kind("Person added",
                         lambda e, n: f"{n.actor(e)} added {n.subject_person(e)}{_via_roster(e)}"),
    "user.updated": Kind("Person updated", _person_updated),
    "user.deactivated": Kind("Person deactivated",
                             lambda e, n: f"{n.actor(e)} deactivated {n.subject_person(e)}{_via_roster(e)}"),
    "user.reactivated": Kind("Person reactivated",
                             lambda e, n: f"{n.actor(e)} reactivated {n.subject_person(e)}"),
    "user.deleted": Kind(
        "Person deleted",
        lambda e, n: f"{n.actor(e)} deleted the account of {_detail(e, 'email', 'a person')}"),
    "role.granted": Kind("Role granted",
                         lambda e, n: f"{n.actor(e)} made {n.subject_person(e)} {_role(e, n)}"),
    "role.revoked": Kind("Role removed",
                         lambda e, n: f"{n.actor(e)} removed {n.subject_person(e)}'s role as {_role(e, n)}"),
    "caseload.assigned": Kind(
        "Coach assigned",
        lambda e, n: f"{n.actor(e)} put {n.subject_person(e)} on the caseload of {n.coach_by_email(e)}"),
    "caseload.unassigned": Kind(
        "Coach unassigned",
        lambda e, n: f"{n.actor(e)} took {n.subject_person(e)} off the caseload of {n.coach_by_email(e)}"),
    "district.created": Kind(
        "District created",
        lambda e, n: f"{n.actor(e)} created the district "
                     f"{n.districts.get(e.subject_id, _detail(e, 'code'))}"),
    "school.created": Kind(
        "School created",
        lambda e, n: f"{n.actor(e)} created the school "
                     f"{n.schools.get(e.subject_id, _detail(e, 'name'))}{_via_roster(e)}"),
    "roster.imported": Kind(
        "Roster imported",
        lambda e, n: f"{n.actor(e)} imported a roster: "
                     f"{_counted(e, ('created', 'updated', 'deactivated', 'rejected'))}"),
    "retention.changed": Kind("Retention period changed", _retention),
    # Cycles and ratings
    "cycle.created": Kind("Cycle created", lambda e, n: f"{n.actor(e)} created {n.cycle(e)}"),
    "cycle.opened": Kind("Cycle opened", lambda e, n: f"{n.actor(e)} opened {n.cycle(e)}"),
    "cycle.closed": Kind("Cycle closed", lambda e, n: f"{n.actor(e)} closed {n.cycle(e)}"),
    "cycle.reopened": Kind("Cycle reopened",
                           lambda e, n: f"{n.actor(e)} reopened {n.cycle(e)} after it was closed"),
    "cycle.dates_changed": Kind(
        "Cycle dates changed",
        lambda e, n: f"{n.actor(e)} changed the dates of {n.cycle(e)} to "
                     f"{_detail(e, 'opens_on', ['', ''])[1]} – {_detail(e, 'closes_on', ['', ''])[1]}"),
    "cycle.purged": Kind("Cycle purged",
                         lambda e, n: f"{n.actor(e)} purged {n.cycle(e)} and everything in it"),
    "self_ratings.saved": Kind(
        "Self-ratings saved",
        lambda e, n: f"{n.actor(e)} saved {_ratings(e, 'self-rating')} in {n.cycle(e)}"),
    "self_ratings.shared": Kind(
        "Self-ratings shared",
        lambda e, n: f"{n.actor(e)} shared their self-ratings in {n.cycle(e)} with their principal"),
    "self_ratings.unshared": Kind(
        "Self-ratings unshared",
        lambda e, n: f"{n.actor(e)} stopped sharing their self-ratings in {n.cycle(e)}"),
    "self_assessment.submitted": Kind(
        "Self-assessment submitted",
        lambda e, n: f"{n.actor(e)} submitted their self-assessment in {n.cycle(e)}"),
    "self_assessment.reopened": Kind(
        "Self-assessment reopened",
        lambda e, n: f"{n.actor(e)} reopened {n.educators_of(e)} self-assessment in {n.cycle(e)}"),
    "coach_ratings.saved": Kind(
        "Coach ratings saved",
        lambda e, n: f"{n.actor(e)} saved {_ratings(e, 'coach rating')} "
                     f"of {n.subject_person(e)} in {n.cycle(e)}"),
    "calibration_outcome.recorded": Kind(
        "Calibration outcome recorded",
        lambda e, n: f"{n.actor(e)} recorded the calibration outcome with {n.subject_person(e)} "
                     f"on {_detail(e, 'competency', 'a competency')} in {n.cycle(e)}"),
    "framework.imported": Kind(
        "Framework imported",
        lambda e, n: f"{n.actor(e)} imported the framework "
                     f"{n.frameworks.get(e.subject_id, _detail(e, 'slug'))} version {_detail(e, 'version')}"),
    "conditions_framework.imported": Kind(
        "Conditions framework imported",
        lambda e, n: f"{n.actor(e)} imported the conditions framework {_detail(e, 'slug')} "
                     f"version {_detail(e, 'version')}"),
    # Planning
    "plan.run": Kind("Cycle planned", lambda e, n: f"{n.actor(e)} planned {n.cycle(e)}"
                                                   f" for {_detail(e, 'scope', 'the whole district')}"),
    "planning_settings.changed": Kind("Planning rules changed", _settings_changed),
    "resource.saved": Kind("Learning activity saved",
                           lambda e, n: f"{n.actor(e)} saved the learning activity {n.resource(e)}"),
    "resources.imported": Kind(
        "Activity catalogue imported",
        lambda e, n: f"{n.actor(e)} imported the activity catalogue: {_counted(e, ('created', 'updated'))}"),
    "path.assigned": Kind("Activity assigned", _path_assigned),
    "path_activity.updated": Kind("Activity progress", _activity_status),
    "path_activity.removed": Kind(
        "Activity removed",
        lambda e, n: f"{n.actor(e)} removed {n.activity(e)} from {n.educators_of(e)} path"),
    "path_activity.verified": Kind("Evidence verified",
                                   lambda e, n: f"{n.actor(e)} verified evidence for {n.educator(e)}"),
    "path_activity.returned": Kind(
        "Evidence returned",
        lambda e, n: f"{n.actor(e)} sent {n.educators_of(e)} evidence for {n.activity(e)} back for more"),
    "cohort.confirmed": Kind("Cohort confirmed", lambda e, n: f"{n.actor(e)} confirmed {n.cohort(e)}"),
    "cohort.member_added": Kind("Cohort member added",
                                lambda e, n: f"{n.actor(e)} added {n.educator(e)} to {n.cohort(e)}"),
    "cohort.member_removed": Kind("Cohort member removed",
                                  lambda e, n: f"{n.actor(e)} removed {n.educator(e)} from {n.cohort(e)}"),
    "cohort.coach_changed": Kind("Cohort coach changed", _cohort_coach),
    "lane.overridden": Kind("Lane overridden", _lane_change),
    "lane.override_cleared": Kind(
        "Lane override cleared",
        lambda e, n: f"{n.actor(e)} cleared the lane override of {n.educator(e)}"),
    # Reports
    "export.downloaded": Kind("Export downloaded", _download),
    "report.downloaded": Kind(
        "Report downloaded",
        lambda e, n: f"{n.actor(e)} downloaded the {_detail(e, 'report')} report of {n.subject_person(e)}"),
}


def sentence(event: AuditEvent, names: EventNames) -> str:
    """The event in words. A kind this version does not know (an older or newer release wrote
    it) still reads as its actor and kind."""
    kind = KINDS.get(event.action)
    text = kind.sentence(event, names) if kind else f"{names.actor(event)}: {event.action}"
    return text[:1].upper() + text[1:]


def kind_title(action: str) -> str:
    kind = KINDS.get(action)
    return kind.title if kind else action
