"""Report writes: only the audit trail of downloads."""

from pdplanner.accounts.models import User
from pdplanner.assessments.models import Cycle
from pdplanner.audit.services import record


def record_download(viewer: User, educator: User, report: str, cycle: Cycle) -> None:
    """A download of another person's data is audited (SPEC 11: who saw which educator's data);
    one's own is not, since it touches nobody else."""
    if viewer.id != educator.id:
        record("report.downloaded", actor=viewer, subject=educator, report=report, cycle_id=cycle.id)
