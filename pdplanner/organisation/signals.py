"""What the organisation announces to the domains above it, which it does not import.

A receiver runs inside the sender's transaction: it writes and flushes, never commits, and an
exception it raises aborts the sender's change with everything else the request wrote. Receivers
are connected once per app by the `subscribe` function of the package that cares, which
`create_app` calls (`pdplanner.SUBSCRIBERS`).
"""

from dataclasses import dataclass, field

from blinker import Namespace

signals = Namespace()

deleting_person = signals.signal("deleting-person", doc="""
    Sent by `delete_person` with the person (a `User`) after its checks passed and before their
    account row goes. Each receiver removes what of the person the database's cascades do not
    reach, or must find or count before they run, and returns a `PersonRemoval` (or None).
    Receivers run in no set order: an evidence file two of them could claim goes to whichever
    deletes it first, and is counted once.""")

roster_applied = signals.signal("roster-applied", doc="""
    Sent by `apply_roster` with the district whose people a roster rewrote in bulk statements,
    which pass every ORM flush watcher by.""")


@dataclass
class PersonRemoval:
    """What one receiver of `deleting_person` removed: counts for the `user.deleted` audit event,
    and the stored names of evidence files to remove from disk once the deletion commits."""

    counts: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
