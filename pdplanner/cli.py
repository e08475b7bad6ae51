"""The flask commands: thin wrappers over services. Each command commits once, or not at all."""

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from pdplanner.accounts import services as accounts
from pdplanner.accounts.models import ROLE_LABELS, Role, user_by_email
from pdplanner.assessments import services as assessments
from pdplanner.assessments.evidence import remove_evidence_files
from pdplanner.assessments.models import Cycle
from pdplanner.assessments.queries import current_cycle, cycle_contents, expired_cycles
from pdplanner.backups.archive import BackupError
from pdplanner.backups.services import Replaced, create_backup, restore_backup
from pdplanner.conditions.models import ConditionsFramework
from pdplanner.conditions.services import import_conditions, read_conditions_file
from pdplanner.database import reads_only_from_here, utcnow
from pdplanner.demo.progress import seed_demo_progress
from pdplanner.demo.ratings import DemoError, seed_demo_cycles
from pdplanner.demo.services import DEMO_PASSWORD, DEMO_SIGN_INS, DemoRefused, demo_email, seed_demo_district
from pdplanner.extensions import db
from pdplanner.framework.exchange import EXPORTS, export_framework, import_framework_file
from pdplanner.framework.models import Framework
from pdplanner.framework.queries import visible_frameworks
from pdplanner.framework.services import FrameworkFormatError, import_native, read_native_file
from pdplanner.organisation import services as organisation
from pdplanner.organisation.models import District
from pdplanner.organisation.roster.apply import UnconfirmedDeactivation, apply_roster
from pdplanner.organisation.roster.match import RosterPreview
from pdplanner.organisation.roster.queries import roster_preview
from pdplanner.organisation.roster.read import RosterError, bundle_from_path, read_roster
from pdplanner.planning import services as planning

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
DEFAULT_FRAMEWORK = SEEDS / "frameworks" / "educator-competencies.yaml"
DEFAULT_CATALOGUE = SEEDS / "resources" / "catalogue.yaml"
DEFAULT_CONDITIONS = SEEDS / "conditions" / "district-conditions.yaml"

seed = AppGroup("seed", help="Load the shipped frameworks and the demo district.")
users = AppGroup("users", help="Create people and manage their access.")
districts = AppGroup("districts", help="Create districts.")
schools = AppGroup("schools", help="Create schools.")
cycles = AppGroup("cycles", help="Create, open and close assessment cycles.")
plans = AppGroup("plan", help="Plan goals, lanes, cohorts and learning paths.")
tokens = AppGroup("tokens", help="Issue personal access tokens for the API.")
data = AppGroup("data", help="Data rights: purge what is past a district's retention period.")
frameworks = AppGroup("framework", help="Import and export competency frameworks (CASE JSON or native).")
rosters = AppGroup("roster", help="Import people from a simple CSV or a OneRoster bundle.")
backups = AppGroup("backup", help="Back up and restore the database, evidence files and stored rosters.")
conditions = AppGroup("conditions", help="Import district conditions frameworks (native YAML/JSON).")


def _fail(message: str):
    db.session.rollback()
    raise click.ClickException(message)


def _district(code: str | None) -> District:
    if code:
        district = db.session.scalar(select(District).where(District.code == code.strip().upper()))
        if district is None:
            _fail(f"No district has the code {code!r}. Create it with `districts create`.")
        return district
    districts = db.session.scalars(select(District)).all()
    if len(districts) != 1:
        _fail("Name the district with --district CODE." if districts else
              "There is no district yet. Create one with `districts create --code C --name N`.")
    return districts[0]


@seed.command("framework")
@click.argument("path", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def seed_framework(path: Path | None):
    """Load the default framework (or PATH, a native YAML/JSON file). Safe to run again."""
    try:
        outcome = import_native(read_native_file(path or DEFAULT_FRAMEWORK))
    except FrameworkFormatError as exc:
        _fail(f"{(path or DEFAULT_FRAMEWORK).name}: {exc}")
    db.session.commit()
    f = outcome.framework
    click.echo(f"Framework {f.slug} version {f.version}: {outcome.status} ({_framework_size(f)}).")


@frameworks.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--district", "district_code",
              help="Import as this district's own framework (default: shared by every district).")
def import_framework(path: Path, district_code: str | None):
    """Import a framework file: CASE JSON or native YAML/JSON, told apart by its content.
    The same content again changes nothing; changed content becomes a new version."""
    district_id = _district(district_code).id if district_code else None
    try:
        kind, outcome = import_framework_file(path.name, path.read_bytes(), district_id=district_id)
    except FrameworkFormatError as exc:
        _fail(f"{path.name}: {exc}")
    db.session.commit()
    f = outcome.framework
    click.echo(f"Framework {f.slug} version {f.version} (id {f.id}), read as {kind.upper()}: "
               f"{outcome.status} ({_framework_size(f)}).")


def _framework_size(framework: Framework) -> str:
    domains, competencies = len(framework.domains), len(framework.competencies)
    return (f"{domains} domain{'' if domains == 1 else 's'}, "
            f"{competencies} competenc{'y' if competencies == 1 else 'ies'}")


def _framework(reference: str) -> Framework:
    """A framework by id, or by slug (its newest version)."""
    if reference.isdigit():
        framework = db.session.get(Framework, int(reference))
        if framework is None:
            _fail(f"No framework has the id {reference}.")
        return framework
    versions = db.session.scalars(
        select(Framework).where(Framework.slug == reference).order_by(Framework.version.desc())).all()
    if not versions:
        _fail(f"No framework has the slug {reference!r}. `framework import` loads one.")
    owners = {f.district_id for f in versions}
    if len(owners) > 1:
        _fail(f"Several districts have a framework {reference!r}; name it by id: "
              + ", ".join(f"{f.id} (version {f.version})" for f in versions) + ".")
    return versions[0]


@frameworks.command("export")
@click.argument("framework_ref", metavar="FRAMEWORK")
@click.option("--format", "kind", required=True, type=click.Choice(sorted(EXPORTS)),
              help="case: a CASE 1.1 CFPackage (JSON); native: pdplanner's YAML.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def export_framework_command(framework_ref: str, kind: str, out: Path):
    """Export FRAMEWORK (an id, or a slug for its newest version) to the file --out."""
    framework = _framework(framework_ref)
    body, _name, _mimetype = export_framework(framework, kind)
    db.session.rollback()
    try:
        out.write_bytes(body)
    except OSError as exc:
        _fail(f"Cannot write {out}: {exc.strerror}.")
    click.echo(f"Wrote {framework.slug} version {framework.version} as {kind.upper()} to {out} "
               f"({len(body):,} bytes).")


@seed.command("conditions")
@click.argument("path", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def seed_conditions(path: Path | None):
    """Load the default conditions framework (or PATH, a native YAML/JSON file). Safe to run again.
    Needs the educator framework its areas map to (`seed framework`)."""
    _import_conditions(path or DEFAULT_CONDITIONS, district_id=None)


@conditions.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--district", "district_code",
              help="Import as this district's own conditions framework (default: shared by every district).")
def import_conditions_command(path: Path, district_code: str | None):
    """Import a conditions framework file (native YAML/JSON). The same content again changes
    nothing; changed content becomes a new version."""
    _import_conditions(path, district_id=_district(district_code).id if district_code else None)


def _import_conditions(path: Path, *, district_id: int | None) -> None:
    try:
        outcome = import_conditions(read_conditions_file(path), district_id=district_id)
    except FrameworkFormatError as exc:
        _fail(f"{path.name}: {exc}")
    db.session.commit()
    click.echo(f"Conditions framework {outcome.framework.slug} version {outcome.framework.version} "
               f"(id {outcome.framework.id}): {outcome.status} ({_conditions_size(outcome.framework)}).")


def _conditions_size(framework: ConditionsFramework) -> str:
    areas = len(framework.areas)
    indicators = sum(len(area.indicators) for area in framework.areas)
    return f"{areas} area{'' if areas == 1 else 's'}, {indicators} indicator{'' if indicators == 1 else 's'}"


@seed.command("resources")
@click.argument("path", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def seed_resources(path: Path | None):
    """Load the shipped catalogue of learning activities (or PATH). Safe to run again."""
    try:
        outcome = planning.import_catalogue(planning.read_catalogue(path or DEFAULT_CATALOGUE))
    except planning.PlanningError as exc:
        _fail(str(exc))
    db.session.commit()
    click.echo(f"Learning activities: {outcome.created} added, {outcome.updated} updated, "
               f"{outcome.unchanged} unchanged.")


@seed.command("demo")
@click.option("--schools", default=2, show_default=True, type=click.IntRange(1, 500))
@click.option("--educators-per-school", default=20, show_default=True, type=click.IntRange(2, 2000))
@click.option("--cycles", default=3, show_default=True, type=click.IntRange(0, 3),
              help="Assessment cycles with ratings: baseline, mid-year, end of year (the last one open).")
@click.option("--random-seed", default=2026, show_default=True, type=int)
def seed_demo(schools: int, educators_per_school: int, cycles: int, random_seed: int):
    """Create the demo district with realistic people and ratings (refused in production)."""
    cycle_summary = None
    try:
        summary = seed_demo_district(
            schools=schools, educators_per_school=educators_per_school, random_seed=random_seed,
            env_name=current_app.config["ENV_NAME"],
        )
        if summary.created and cycles:
            cycle_summary = seed_demo_cycles(summary.district, cycles=cycles, random_seed=random_seed)
            open_now = current_cycle(summary.district.id)
            plan_summary = planning.run_plan(open_now)
            first_teacher = user_by_email(demo_email("teacher", 1))
            progress_summary = seed_demo_progress(open_now, keep_untouched=first_teacher,
                                                  random_seed=random_seed)
            plan_summary = planning.run_plan(open_now)  # as a coach would: verified goals count
    except (DemoRefused, DemoError) as exc:
        _fail(str(exc))
    db.session.commit()
    if summary.created:
        counts = ", ".join(role.counted(n) for role, n in summary.people_by_role.items())
        click.echo(f"Created {summary.district.name}: {counts}.")
        if cycle_summary:
            click.echo("\n".join(f"  {line}" for line in cycle_summary.lines()))
            click.echo(f"  Planned the open cycle: {plan_summary.line()}")
            click.echo(f"  {progress_summary.line()}")
    else:
        click.echo(f"{summary.district.name} is already here; nothing changed.")
    click.echo(f"\nDemo sign-ins (password: {DEMO_PASSWORD}):")
    for word, what in DEMO_SIGN_INS:
        click.echo(f"  {demo_email(word, 1):<32} {what}")
    click.echo("  Others follow the pattern teacher2@, coach2@, principal2@ ...")


@districts.command("create")
@click.option("--code", required=True)
@click.option("--name", required=True)
def create_district(code: str, name: str):
    """Create a district."""
    try:
        district = organisation.create_district(code=code, name=name)
    except organisation.OrganisationError as exc:
        _fail(str(exc))
    db.session.commit()
    click.echo(f"Created district {district.code}: {district.name}.")


@schools.command("create")
@click.option("--code", required=True)
@click.option("--name", required=True)
@click.option("--district", "district_code", help="District code (needed when there are several).")
def create_school(code: str, name: str, district_code: str | None):
    """Create a school in a district."""
    try:
        school = organisation.create_school(_district(district_code), code=code, name=name)
    except organisation.OrganisationError as exc:
        _fail(str(exc))
    db.session.commit()
    click.echo(f"Created school {school.code}: {school.name}.")


@users.command("create")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--school", "school_code", help="School code; every role but district_admin needs one.")
@click.option("--given-name", default="", help="Defaults to the part of the email before the @.")
@click.option("--family-name", default="")
@click.option("--district", "district_code", help="District code (needed when there are several).")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from standard input. Without it, a set-password link is printed.")
def create_user(email, role, school_code, given_name, family_name, district_code, password_stdin):
    """Create a person with a role."""
    district = _district(district_code)
    school = None
    if school_code:
        school = organisation.school_by_code(district.id, school_code)
        if school is None:
            _fail(f"{district.name} has no school with the code {school_code!r}.")
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    try:
        user = organisation.create_user(
            district_id=district.id, email=email, role=Role(role), school=school, password=password,
            given_name=given_name or email.split("@")[0], family_name=family_name,
        )
        link = None if password_stdin else accounts.issue_set_password_link(user)
    except (accounts.AccountError, organisation.OrganisationError) as exc:
        _fail(str(exc))
    db.session.commit()
    click.echo(f"Created {user.email} ({ROLE_LABELS[Role(role)]}).")
    if link:
        click.echo(f"Set-password link (works once): {current_app.config['PUBLIC_BASE_URL']}{link}")


@users.command("set-password-link")
@click.option("--email", required=True)
def set_password_link(email: str):
    """Print a one-time link with which the person sets their password."""
    user = user_by_email(email)
    if user is None or not user.active:
        _fail(f"No active person has the email {email!r}.")
    link = accounts.issue_set_password_link(user)
    db.session.commit()
    click.echo(f"{current_app.config['PUBLIC_BASE_URL']}{link}")


@users.command("deactivate")
@click.option("--email", required=True)
def deactivate(email: str):
    """Deactivate a person: they cannot sign in and every session ends; their data stays."""
    user = user_by_email(email)
    if user is None:
        _fail(f"No person has the email {email!r}.")
    organisation.set_active(user, False)
    db.session.commit()
    click.echo(f"Deactivated {user.email}.")


def _cycle(district: District, name: str):
    """The district's cycle with this name (or, when it is a number, this id)."""
    cycle = db.session.scalar(select(Cycle).where(Cycle.district_id == district.id, Cycle.name == name))
    if cycle is None and name.isdigit():
        cycle = db.session.scalar(
            select(Cycle).where(Cycle.district_id == district.id, Cycle.id == int(name)))
    if cycle is None:
        _fail(f"{district.name} has no cycle named {name!r}.")
    return cycle


@cycles.command("create")
@click.option("--name", required=True)
@click.option("--opens", "opens_on", required=True, type=click.DateTime(["%Y-%m-%d"]), help="YYYY-MM-DD")
@click.option("--closes", "closes_on", required=True, type=click.DateTime(["%Y-%m-%d"]), help="YYYY-MM-DD")
@click.option("--framework", "framework_slug", default="educator-competencies", show_default=True)
@click.option("--district", "district_code", help="District code (needed when there are several).")
@click.option("--open", "open_now", is_flag=True, help="Open the cycle right away.")
def create_cycle(name, opens_on, closes_on, framework_slug, district_code, open_now):
    """Create an assessment cycle pinned to the newest version of a framework."""
    district = _district(district_code)
    framework = next((f for f in visible_frameworks(district.id) if f.slug == framework_slug), None)
    if framework is None:
        _fail(f"No framework {framework_slug!r} is loaded. Run `seed framework` first.")
    try:
        cycle = assessments.create_cycle(district_id=district.id, name=name, opens_on=opens_on.date(),
                                         closes_on=closes_on.date(), framework=framework)
        if open_now:
            assessments.open_cycle(cycle)
    except assessments.AssessmentError as exc:
        _fail(str(exc))
    db.session.commit()
    click.echo(f"Created cycle {cycle.name} ({cycle.status.value}), framework {framework.slug} "
               f"version {framework.version}.")


def _cycle_state_command(verb: str, change, outcome: str, help_text: str):
    @cycles.command(verb, help=help_text)
    @click.option("--name", required=True)
    @click.option("--district", "district_code")
    def command(name, district_code):
        cycle = _cycle(_district(district_code), name)
        try:
            change(cycle)
        except assessments.AssessmentError as exc:
            _fail(str(exc))
        db.session.commit()
        click.echo(f"{cycle.name} is {outcome}.")


_cycle_state_command("open", assessments.open_cycle, "open",
                     "Open a draft cycle (a district has at most one open cycle).")
_cycle_state_command("close", assessments.close_cycle, "closed",
                     "Close an open cycle; its ratings become read-only.")


@tokens.command("create")
@click.option("--email", required=True)
@click.option("--name", default="", help="What the token is for (shown on the person's account page).")
def create_token(email: str, name: str):
    """Create an API token for a person and print it (shown only this once)."""
    user = user_by_email(email)
    if user is None or not user.active:
        _fail(f"No active person has the email {email!r}.")
    token, secret = accounts.create_token(user, name or "Created from the command line")
    db.session.commit()
    click.echo(f"Token \"{token.name}\" for {user.email} (shown only now; store it safely):",
               err=True)
    click.echo(secret)


@plans.command("run")
@click.option("--cycle", "cycle_ref", required=True, help="The cycle's name or id.")
@click.option("--district", "district_code")
def run_plan(cycle_ref: str, district_code: str | None):
    """Re-plan a cycle: goals, lanes, cohorts and paths (overrides and confirmed cohorts stay)."""
    district = _district(district_code)
    cycle = _cycle(district, cycle_ref)
    summary = planning.run_plan(cycle)
    db.session.commit()
    click.echo(f"Planned {cycle.name}: {summary.line()}")


@data.command("purge")
@click.option("--district", "district_code", help="Only this district (default: every district).")
@click.option("--apply", is_flag=True, help="Delete. Without it, only list what would be deleted.")
def purge(district_code: str | None, apply: bool):
    """List, or with --apply delete, the closed cycles that closed more than their district's
    retention period ago, with their ratings, plans, cohorts and evidence files (one transaction).
    Open and draft cycles are never purged; a district without a retention period keeps all."""
    chosen = [_district(district_code)] if district_code else db.session.scalars(
        select(District).order_by(District.code)).all()
    today = utcnow().date()
    expired = []
    for district in chosen:
        if district.retention_months is None:
            click.echo(f"{district.code}: keeps everything (no retention period).")
            continue
        cycles = expired_cycles(district, today)
        click.echo(f"{district.code}: keeps closed cycles {district.retention_months} months; "
                   f"{len(cycles)} to purge.")
        for cycle in cycles:
            counts = ", ".join(f"{what.replace('_', ' ')}: {n}" for what, n in cycle_contents(cycle).items())
            click.echo(f"  {cycle.name} (closed {cycle.closes_on.isoformat()}): {counts}")
        expired += cycles
    if not apply:
        db.session.rollback()
        click.echo("Preview only: nothing was deleted. Run again with --apply to delete." if expired else
                   "Nothing to purge.")
        return
    try:
        files = [name for cycle in expired for name in assessments.purge_cycle(cycle)]
    except assessments.AssessmentError as exc:
        _fail(str(exc))
    db.session.commit()
    remove_evidence_files(files)
    click.echo(f"Purged {len(expired)} cycle{'' if len(expired) == 1 else 's'} and {len(files)} evidence "
               f"file{'' if len(files) == 1 else 's'}.")


@rosters.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--apply", is_flag=True, help="Import. Without it, only show what would change.")
@click.option("--partial", is_flag=True,
              help="A simple CSV that is not the whole district: nobody is deactivated.")
@click.option("--district", "district_code", help="District code (needed when there are several).")
@click.option("--confirm", "typed", help='A roster deactivating more than half of the active people '
                                         'applies only with the words its preview asks for, e.g. '
                                         '--confirm "DEACTIVATE 812".')
def import_roster(path: Path, apply: bool, partial: bool, district_code: str | None, typed: str | None):
    """Preview, or with --apply import, PATH: a simple CSV (email, given name, family name,
    role, school code, coach email) or a OneRoster 1.1 / 1.2 bundle (a folder or a zip).
    Applying is one transaction; people a full roster leaves out are deactivated, never deleted."""
    if not apply:
        reads_only_from_here(db.session)
    try:   # read before the transaction begins, so SQLite's write lock is not held meanwhile
        roster = read_roster(bundle_from_path(path), partial=partial)
    except RosterError as exc:
        _fail(str(exc))
    district = _district(district_code)
    if not apply:
        _echo_preview(roster_preview(district, roster), district)
        db.session.rollback()
        click.echo("Preview only: nothing was written. Run again with --apply to import.")
        return
    try:
        outcome = apply_roster(district, roster, typed=typed)
    except UnconfirmedDeactivation as exc:
        _fail(f"{exc} Give the words with --confirm \"{exc.preview.confirmation_phrase}\".")
    except organisation.OrganisationError as exc:
        _fail(str(exc))
    db.session.commit()
    unsent = accounts.mail_invitations(outcome.invitations)
    _echo_preview(outcome.preview, district)
    counts = outcome.preview.counts
    mailed = len(outcome.invitations) - len(unsent)
    click.echo(f"Imported: {counts['created']} created, {counts['updated']} updated, "
               f"{counts['deactivated']} deactivated; {mailed} set-password "
               f"link{'' if mailed == 1 else 's'} mailed.")
    if unsent:
        click.echo(f"Not mailed (the mail server refused or was unreachable; send each a new link "
                   f"with `flask users set-password-link EMAIL`): {', '.join(unsent)}", err=True)


def _echo_preview(preview: RosterPreview, district: District) -> None:
    counts = preview.counts
    skipped = ", ".join(f"{word} {n}" for word, n in sorted(preview.skipped.items()))
    kind = "full roster" if preview.full else "partial roster"
    click.echo(f"{preview.format} ({kind}) into {district.name}: "
               f"{counts['created']} to create, {counts['updated']} to update, {counts['deactivated']} to "
               f"deactivate, {counts['unchanged']} unchanged, {counts['rejected']} rejected, "
               f"{counts['skipped']} skipped{f' ({skipped})' if skipped else ''}, "
               f"{counts['schools_created']} new schools.")
    sections = [
        ("New schools", [f"{s.code}  {s.name}  (org {s.sourced_id})" for s in preview.new_schools]),
        ("Create", [f"{p.file}:{p.line}  {p.email}  {p.given_name} {p.family_name}  {p.roles_text}"
                    for p in preview.creates]),
        ("Update", [f"{p.file}:{p.line}  {p.email}: {'; '.join(p.changes)}" for p in preview.updates]),
        ("Deactivate", [f"{d.email}  {d.name}: {d.reason}" for d in preview.deactivations]),
        ("Rejected", [str(r) for r in preview.rejected]),
        ("Notes", preview.notes),
    ]
    for title, lines in sections:
        if lines:
            click.echo(f"{title}:")
            click.echo("\n".join(f"  {line}" for line in lines))


@backups.command("create")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def create_backup_command(path: Path):
    """Write a backup to PATH (a new .tar.gz): a consistent copy of the database, every evidence
    file and stored roster, and manifest.json with each file's size and SHA-256."""
    try:
        summary = create_backup(path)
    except BackupError as exc:
        _fail(str(exc))
    click.echo(f"Wrote {summary.path} ({summary.size:,} bytes): the {summary.backend} database at "
               f"revision {summary.revision}, {summary.files['evidence']} evidence files, "
               f"{summary.files['rosters']} stored rosters. It holds everyone's data: keep it safe.")
    if summary.missing_evidence:
        click.echo(f"Warning: {len(summary.missing_evidence)} evidence files the database names are not "
                   f"in EVIDENCE_DIR: {', '.join(summary.missing_evidence)}", err=True)


@backups.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database or folders that hold data without asking.")
def restore_backup_command(path: Path, force: bool):
    """Restore the backup PATH: every checksum and the schema revision are checked before
    anything changes; then the database, EVIDENCE_DIR and ROSTER_DIR are replaced. Stop the app
    first."""
    def confirm(replaced: Replaced) -> bool:
        click.echo("This restore replaces what is here now:")
        click.echo("\n".join(f"  {line}" for line in replaced.lines()))
        if force:
            return True
        try:
            return click.confirm("Replace it all with the backup?", default=False)
        except click.Abort:
            _fail("Nothing was restored: no answer. Run again with --force to replace it.")

    try:
        summary = restore_backup(path, confirm)
    except BackupError as exc:
        _fail(str(exc))
    manifest = summary.manifest
    click.echo(f"Restored {path.name}, made {manifest['created_at']} by pdplanner {manifest['app_version']}: "
               f"the {manifest['database_backend']} database at revision {manifest['alembic_revision']}, "
               f"{summary.files['evidence']} evidence files, {summary.files['rosters']} stored rosters.")
    if summary.missing_evidence:
        click.echo(f"Warning: {len(summary.missing_evidence)} evidence files the database names are not "
                   f"in the backup: {', '.join(summary.missing_evidence)}", err=True)


def register_cli(app: Flask) -> None:
    for group in (seed, users, districts, schools, cycles, plans, tokens, data, frameworks, rosters, backups,
                  conditions):
        app.cli.add_command(group)
