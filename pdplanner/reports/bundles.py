"""The zip downloads: a person's own data (GET /me/data.zip) and a district's export
(GET /exports/district.zip). Each is a ZipBundle, so adding a file (the growth-plan PDF, say) is
one `bundle.add(name, content)`."""

from flask import current_app

from pdplanner.accounts.models import User
from pdplanner.assessments.evidence import evidence_path
from pdplanner.database import utcnow
from pdplanner.reports import exports
from pdplanner.reports.documents import growth_plan
from pdplanner.reports.pdf import growth_plan_pdf
from pdplanner.reports.personal_data import my_data_document, own_plans
from pdplanner.reports.rows import district_rows

MY_DATA_README = """\
pdplanner: all of your own data
===============================

growth-plan-<cycle>.pdf is your growth plan of each cycle you were planned in, as the plan page
shows it. data.json holds everything pdplanner keeps about you, as of generated_at (UTC). Dates are ISO 8601
(YYYY-MM-DD), times are ISO 8601 in UTC (ending in Z). A missing value is null. Keys:

  format, version     "pdplanner-my-data", 1: the layout of this file
  person              your account: id, email, names, district, whether you are a district admin,
                      created_at, last_sign_in_at, welcome_dismissed_at, and memberships (school, role, since)
  coaches             the coaches you are assigned to (email, name)
  caseload            if you coach: the educators on your caseload (email, name)
  cycles              the assessment cycles your data belongs to (id, name, status, dates)
  self_assessments    per cycle: status (in_progress or submitted), submitted_at, and
                      shared_with_principal (whether you shared that cycle's ratings)
  ratings             every rating of you, in every cycle: kind "self" (yours), "coach" (a coach's)
                      or "evidence" (a coach verified a goal); competency and domain codes, level
                      and its label, not_observed ("not yet observed"), confidence, interest
                      ("I want to grow here"), note, evidence_url, evidence_file (a path in this
                      zip), created_at, updated_at
  calibration_outcomes what you and your coach agreed in each cycle's calibration conversation,
                      per competency: agreed_level (null when you agreed on a note only), note,
                      the coach who recorded it (coach_email), updated_at
  goals               your planned goals: competency, from_level, to_level, rank, priority,
                      status, why, verified_at
  path_activities     your learning-path activities: the catalogue activity, status, why, your
                      reflection, evidence_url, evidence_file, the coach's note, verified_at
  placements          your lane per cycle with the numbers behind it and why, any override and its
                      reason, and your cohort (or why you get individual coaching)
  cohorts_led         if you coach: the cohorts you lead (name, lane, status, member_count)
  evidence_files      the files you uploaded or that are attached to your ratings and activities;
                      the files themselves are in the evidence/ folder of this zip
  api_tokens          your API tokens: name, first characters, dates (never the secret)
  audit_events        the audit log's events you caused and those about your account: when,
                      action, who (actor_email), subject, details, address

Ratings you gave other people as their coach are part of their data, not yours, and are not here.
"""

DISTRICT_README = """\
pdplanner: district export
==========================

One CSV file per table and data.json with the same tables. data_dictionary.csv names the type and
meaning of every column of every CSV file (file, column, type, meaning).

CSV files are UTF-8 with a byte-order mark and CRLF line ends, so spreadsheet programs open them
as they are. A text cell starting with = + - @, a tab or a carriage return is prefixed with an
apostrophe so that it cannot run as a formula; data.json has every value exactly as stored.
Dates are ISO 8601 (YYYY-MM-DD), times ISO 8601 in UTC (ending in Z).

Individual ratings follow the privacy rule of the pages: a district admin gets an educator's
self and coach ratings, goal levels, whys, reflections and evidence links only for the cycles
that educator shared with their principal. Everything else (people, schools, cycles, lanes,
cohorts, progress) is complete.

audit_events.csv is the district's whole audit log, oldest first: each event's kind, a sentence
naming who did what to whom, and the details as recorded (a JSON object). Events this export
caused are not in it; they are in the next one.
"""


def my_data(user: User) -> exports.ZipBundle:
    document, files = my_data_document(user)
    bundle = exports.ZipBundle()
    bundle.add("README.txt", MY_DATA_README)
    bundle.add_json("data.json", document)
    today = utcnow().date()
    for plan in own_plans(user):
        content = growth_plan(plan)
        name = exports.safe_file_name(f"growth-plan-{plan.cycle.name}.pdf")
        bundle.add(name, growth_plan_pdf(content, today))
    for name, evidence in files:
        path = evidence_path(evidence)
        if path.is_file():
            bundle.add(name, path.read_bytes())
        else:
            current_app.logger.warning("Evidence file %s is missing from the evidence folder", evidence.id)
    return bundle


def district_export(viewer: User) -> tuple[exports.ZipBundle, dict[str, int]]:
    """The bundle, and the number of rows of each table (for the audit log)."""
    rows = district_rows(viewer)
    frames = {t.name: exports.frame(t, rows[t.name]) for t in exports.DISTRICT_TABLES}
    bundle = exports.ZipBundle()
    bundle.add("README.txt", DISTRICT_README)
    bundle.add_csv(exports.DICTIONARY, exports.dictionary_frame(exports.DISTRICT_TABLES))
    for table in exports.DISTRICT_TABLES:
        bundle.add_csv(table, frames[table.name])
    district = viewer.district
    bundle.add_json("data.json", {
        "format": "pdplanner-district-export", "version": 1, "generated_at": exports.iso(utcnow()),
        "district": {"id": district.id, "code": district.code, "name": district.name},
        "tables": {name: exports.records(data) for name, data in frames.items()},
    })
    return bundle, {name: len(data) for name, data in frames.items()}
