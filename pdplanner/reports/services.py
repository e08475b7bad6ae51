"""Report and export writes: the audit record of every download (SPEC 11)."""

from pdplanner.accounts.models import User
from pdplanner.assessments.models import Cycle
from pdplanner.audit.services import record


def record_download(viewer: User, file: str, *, scope: str, rows, cycle: Cycle | None = None,
                    subject=None) -> None:
    """`file` is what was downloaded ("ratings.csv", "data.zip"); `rows` how many rows it held (a
    count, or counts by file for a zip); `subject` the one record it is about, if there is one."""
    details = {"file": file, "scope": scope, "rows": rows}
    if cycle is not None:
        details["cycle_id"] = cycle.id
    record("export.downloaded", actor=viewer, subject=subject, district_id=viewer.district_id, **details)


def record_report_download(viewer: User, educator: User, report: str, cycle: Cycle) -> None:
    """A PDF report about a person: audited when it is another person's (SPEC 11: who saw which
    educator's data); one's own touches nobody else."""
    if viewer.id != educator.id:
        record("report.downloaded", actor=viewer, subject=educator, report=report, cycle_id=cycle.id)
