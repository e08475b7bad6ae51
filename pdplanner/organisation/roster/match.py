"""Matching a roster into a preview: who is created, updated, deactivated or left alone, which
schools are created, and which rows are rejected, and why. Pure: `match_roster` takes the roster
as read (`roster.read`) and the district as it is now (`DistrictNow`, read by `roster.queries`),
and touches no database, so every rule here is tested with plain data
(tests/organisation/test_roster_matching.py)."""

import re
from dataclasses import dataclass, field

from pdplanner.accounts.models import Role
from pdplanner.organisation.roster.read import SCHOOL_CODE, Rejection, Roster


@dataclass(frozen=True)
class NewSchool:
    """A school a OneRoster import creates for an org its staff belong to."""

    sourced_id: str
    code: str
    name: str


SchoolRef = int | NewSchool   # an existing school's id, or one the import creates


@dataclass
class PersonPlan:
    """What an import does to one person: create them, or update them to match the roster."""

    file: str
    line: int
    email: str
    given_name: str
    family_name: str
    sourced_id: str | None
    user_id: int | None                   # None: a new person
    memberships: dict[SchoolRef, Role]    # every school role they hold afterwards
    district_admin: bool
    coaches: tuple[int | str, ...] | None  # coach user ids, or emails of coaches this import creates
    reactivate: bool = False
    changes: list[str] = field(default_factory=list)

    @property
    def roles_text(self) -> str:
        held = ["District admin"] if self.district_admin else []
        return ", ".join(held + sorted({role.label for role in self.memberships.values()})) or "-"


@dataclass(frozen=True)
class Departure:
    """A person the import deactivates (never deletes)."""

    user_id: int
    email: str
    name: str
    reason: str


@dataclass
class RosterPreview:
    format: str
    full: bool
    creates: list[PersonPlan]
    updates: list[PersonPlan]
    deactivations: list[Departure]
    rejected: list
    skipped: dict[str, int]
    unchanged: int
    new_schools: list[NewSchool]
    adopted_schools: dict[int, str]           # existing school id -> the org sourcedId it takes
    notes: list[str]
    active_now: int = 0                         # active people of the district before the import
    memberships_now: dict[int, dict[int, tuple[int, Role]]] = field(default_factory=dict, repr=False)
    coaches_now: dict[int, set[int]] = field(default_factory=dict, repr=False)
    school_names: dict[int, str] = field(default_factory=dict, repr=False)

    @property
    def counts(self) -> dict[str, int]:
        return {"created": len(self.creates), "updated": len(self.updates),
                "deactivated": len(self.deactivations), "unchanged": self.unchanged,
                "rejected": len(self.rejected), "skipped": sum(self.skipped.values()),
                "schools_created": len(self.new_schools)}

    @property
    def deactivates_most(self) -> bool:
        """Whether applying deactivates more than half of the district's active people: most
        often a partial list imported as the whole district, and then the admin types
        `confirmation_phrase` to apply it (docs/DECISIONS.md, "A roster that deactivates most")."""
        return len(self.deactivations) * 2 > self.active_now

    @property
    def confirmation_phrase(self) -> str:
        return f"DEACTIVATE {len(self.deactivations)}"

    def confirmation_problem(self, typed: str | None) -> str | None:
        """What is wrong with what the admin typed to confirm, or None when it confirms (or
        nothing needs confirming)."""
        if not self.deactivates_most or " ".join((typed or "").split()) == self.confirmation_phrase:
            return None
        shown = f"you typed {typed.strip()!r}" if typed and typed.strip() else "nothing was typed"
        return (f"This roster deactivates {len(self.deactivations)} of the {self.active_now} active people. "
                f"To apply it, type {self.confirmation_phrase} exactly ({shown}). Nothing was imported.")

    @property
    def changes_anything(self) -> bool:
        return bool(self.creates or self.updates or self.deactivations or self.new_schools
                    or self.adopted_schools)


@dataclass(frozen=True)
class KnownPerson:
    """A person of the district, as the matcher needs them."""

    id: int
    email: str
    sourced_id: str | None
    given_name: str
    family_name: str
    active: bool
    is_district_admin: bool


@dataclass(frozen=True)
class KnownSchool:
    id: int
    code: str
    name: str
    sourced_id: str | None


@dataclass(frozen=True)
class DistrictNow:
    """The district as a roster finds it: its people, their school roles and coaches, its
    schools, and which of the roster's emails belong to accounts of other districts."""

    name: str
    people: tuple[KnownPerson, ...]
    memberships: dict[int, dict[int, tuple[int, Role]]]   # user id -> school id -> (membership id, role)
    coaches: dict[int, set[int]]                          # educator id -> coach ids
    schools: tuple[KnownSchool, ...]
    outside_emails: frozenset[str] = frozenset()


def match_roster(roster: Roster, district_now: DistrictNow, actor_id: int | None = None) -> RosterPreview:
    """What importing `roster` into the district `district_now` describes would change. People are
    matched by sourcedId, then by email. A full roster deactivates the active people it leaves out,
    never `actor_id` (the person importing)."""
    known = district_now.people
    by_email = {k.email: k for k in known}
    by_sourced_id = {k.sourced_id: k for k in known if k.sourced_id}
    memberships_now, coaches_now = district_now.memberships, district_now.coaches
    school_by_code = {s.code: s for s in district_now.schools}
    school_by_sourced_id = {s.sourced_id: s for s in district_now.schools if s.sourced_id}
    names = {s.id: f"{s.name} ({s.code})" for s in district_now.schools}
    outside = district_now.outside_emails
    district_name = district_now.name

    rejected = list(roster.rejected)
    adopted: dict[int, str] = {}
    new_schools: dict[str, NewSchool] = {}
    resolved: dict[str, SchoolRef | str] = {}   # roster school reference -> school, or why not

    def school_for(ref: str) -> SchoolRef | str:
        if ref in resolved:
            return resolved[ref]
        if roster.format == "Simple CSV":
            found = school_by_code.get(ref)
            resolved[ref] = found.id if found else f"school code: {district_name} has no school {ref!r}."
            return resolved[ref]
        if ref in school_by_sourced_id:
            resolved[ref] = school_by_sourced_id[ref].id
            return resolved[ref]
        org = roster.orgs.get(ref)
        if org is None:
            resolved[ref] = f"orgSourcedIds: {ref!r} is neither in orgs.csv nor a school of {district_name}."
            return resolved[ref]
        code = next((c for c in (org.identifier, org.sourced_id) if SCHOOL_CODE.match(c)),
                    re.sub(r"[^A-Za-z0-9_-]", "-", org.sourced_id)[:40]).upper()
        same_code = school_by_code.get(code)
        if same_code is not None and same_code.sourced_id is None and same_code.id not in adopted:
            adopted[same_code.id] = ref      # a school made by hand before the first import
            resolved[ref] = same_code.id
        elif same_code is not None or code in {s.code for s in new_schools.values()}:
            resolved[ref] = (f"orgSourcedIds: org {ref!r} would have the school code {code}, which "
                             f"another school has. Give that school's sourcedId to the org, or rename it.")
        else:
            new_schools[ref] = NewSchool(ref, code, org.name[:200])
            resolved[ref] = new_schools[ref]
        return resolved[ref]

    def reject(person, reason: str) -> None:
        rejected.append(Rejection(person.file, person.line, reason, email=person.email,
                                  sourced_id=person.sourced_id))

    plans: list[PersonPlan] = []
    matched: dict[int, int] = {}   # user id -> line that matched them
    departures: list[Departure] = []
    unchanged = 0
    skipped = dict(roster.skipped)
    for person in roster.people:
        match = by_sourced_id.get(person.sourced_id) if person.sourced_id else None
        match = match or by_email.get(person.email)
        if match is not None and match.id in matched:
            reject(person, f"this is the same person as line {matched[match.id]}.")
            continue
        if match is None and person.email in outside:
            reject(person, f"email: {person.email} belongs to an account outside {district_name}.")
            continue
        if match is not None and person.email != match.email and (person.email in by_email
                                                                   or person.email in outside):
            reject(person, f"email: {person.email} belongs to another person.")
            continue
        if (match is not None and person.sourced_id and match.sourced_id
                and match.sourced_id != person.sourced_id):
            reject(person, f"email: {person.email} belongs to the person with sourcedId {match.sourced_id}.")
            continue
        if person.deactivate:
            if match is not None:
                matched[match.id] = person.line
                if match.active:
                    departures.append(Departure(
                        match.id, match.email, f"{match.given_name} {match.family_name}",
                        f"{person.file}:{person.line} marks them deleted or disabled."))
                else:
                    unchanged += 1
            else:
                skipped["marked deleted, not here"] = skipped.get("marked deleted, not here", 0) + 1
            continue
        targets: dict[SchoolRef, Role] = {}
        problem = None
        for ref, role in person.schools.items():
            school = school_for(ref)
            if isinstance(school, str):
                problem = school
                break
            targets[school] = role
        if problem:
            reject(person, problem)
            continue
        now = memberships_now.get(match.id, {}) if match else {}
        if roster.format != "Simple CSV":
            # OneRoster has no coach role: a coach stays a coach where the SIS says teacher.
            for school, role in targets.items():
                held = now.get(school, (0, None))[1] if isinstance(school, int) else None
                if role == Role.TEACHER and held == Role.COACH:
                    targets[school] = Role.COACH
        if match is not None:
            matched[match.id] = person.line
        plans.append(PersonPlan(
            file=person.file, line=person.line, email=person.email, given_name=person.given_name,
            family_name=person.family_name, sourced_id=person.sourced_id,
            user_id=match.id if match else None, memberships=targets,
            district_admin=person.district_admin or bool(match and match.is_district_admin),
            coaches=person.coach_emails, reactivate=bool(match and not match.active),
        ))

    plans = _resolve_coaches(plans, by_email, memberships_now, reject)
    known_by_id = {k.id: k for k in known}
    creates, updates = [], []
    for plan in plans:
        if plan.user_id is None:
            creates.append(plan)
            continue
        plan.changes = _changes(plan, known_by_id, memberships_now.get(plan.user_id, {}),
                                coaches_now.get(plan.user_id, set()), names)
        if plan.changes:
            updates.append(plan)
        else:
            unchanged += 1
    rejected.sort(key=lambda r: (r.file, r.line))
    notes = list(roster.notes)
    if roster.full and not roster.people:
        notes.append("The roster names nobody pdplanner serves, so nobody is deactivated.")
    elif roster.full:
        departures += _missing(known, matched, rejected, actor_id)
        staying = len(updates) + unchanged
        if len(departures) > staying:
            # Most often a partial list imported as the whole district: say so before anyone applies it.
            notes.append(f"This roster leaves out {len(departures)} of the {len(departures) + staying} "
                         "people of the district already here, who would all be deactivated. If it lists "
                         "only some people, import it as a partial roster.")
    return RosterPreview(
        format=roster.format, full=roster.full, creates=creates, updates=updates, deactivations=departures,
        rejected=rejected, skipped=skipped, unchanged=unchanged, new_schools=list(new_schools.values()),
        adopted_schools=adopted, notes=notes, memberships_now=memberships_now,
        coaches_now=coaches_now, school_names=names, active_now=sum(1 for k in known if k.active),
    )


def _resolve_coaches(plans: list[PersonPlan], by_email: dict, memberships_now: dict,
                     reject) -> list[PersonPlan]:
    """Turn coach emails into coach ids (or the emails of coaches this import creates). A coach
    must be a coach in the roster, or a coach here whom the roster does not mention; a row whose
    coach cannot be found is rejected, and so, in turn, are rows coached by that person."""
    while True:
        by_plan_email = {plan.email: plan for plan in plans}
        kept: list[PersonPlan] = []
        for plan in plans:
            if plan.coaches is None:
                kept.append(plan)
                continue
            refs, problem = [], None
            for email in plan.coaches:
                if isinstance(email, int):
                    refs.append(email)
                    continue
                coach_plan = by_plan_email.get(email)
                existing = by_email.get(email)
                if coach_plan is not None:
                    if Role.COACH not in coach_plan.memberships.values():
                        problem = f"coach email: {email} is not a coach in this roster."
                    refs.append(coach_plan.user_id or email)
                elif existing is not None and any(role == Role.COACH for _, role in
                                                  memberships_now.get(existing.id, {}).values()):
                    refs.append(existing.id)
                else:
                    problem = f"coach email: nobody with the email {email} is a coach here or in this roster."
                if problem:
                    break
            if problem:
                reject(plan, problem)
            else:
                plan.coaches = tuple(refs)
                kept.append(plan)
        if len(kept) == len(plans):
            return kept
        plans = kept


def _changes(plan: PersonPlan, known_by_id: dict, now: dict[int, tuple[int, Role]], coaches: set[int],
             names: dict[int, str]) -> list[str]:
    """What updating this person changes, in words for the preview; empty when nothing does."""
    known = known_by_id[plan.user_id]
    changes = []
    if plan.sourced_id and plan.sourced_id != known.sourced_id:
        changes.append(f"sourcedId: {known.sourced_id or '(none)'} → {plan.sourced_id}")
    if plan.email != known.email:
        changes.append(f"email: {known.email} → {plan.email}")
    if (plan.given_name, plan.family_name) != (known.given_name, known.family_name):
        changes.append(f"name: {known.given_name} {known.family_name} → {plan.given_name} {plan.family_name}")
    if plan.reactivate:
        changes.append("active again")
    if plan.district_admin and not known.is_district_admin:
        changes.append("becomes district admin")
    for school, role in plan.memberships.items():
        if isinstance(school, NewSchool):
            changes.append(f"{role.label.lower()} at {school.name} ({school.code}, a new school)")
        elif school not in now:
            changes.append(f"{role.label.lower()} at {names[school]}")
        elif now[school][1] != role:
            changes.append(f"at {names[school]}: {now[school][1].label.lower()} → {role.label.lower()}")
    for school, (_, role) in now.items():
        if school not in plan.memberships:
            changes.append(f"no longer {role.label.lower()} at {names[school]}")
    if plan.coaches is not None:
        for ref in plan.coaches:
            if ref not in coaches:
                changes.append(f"coach: + {ref if isinstance(ref, str) else known_by_id[ref].email}")
        for coach_id in sorted(coaches - set(plan.coaches)):
            changes.append(f"coach: − {known_by_id[coach_id].email}")
    return changes


def _missing(known: tuple[KnownPerson, ...], matched: dict[int, int], rejected: list,
             actor_id: int | None) -> list[Departure]:
    """Active people a full roster does not mention. Never the person importing, never a district
    admin (SIS exports often leave them out) and never someone whose row was rejected: a typo in
    their row must not lock them out."""
    protected_emails = {r.email for r in rejected if r.email}
    protected_ids = {r.sourced_id for r in rejected if r.sourced_id}
    return [
        Departure(k.id, k.email, f"{k.given_name} {k.family_name}", "not in the roster")
        for k in known
        if k.active and k.id not in matched and not k.is_district_admin
        and k.id != actor_id
        and k.email not in protected_emails and (k.sourced_id is None or k.sourced_id not in protected_ids)
    ]
