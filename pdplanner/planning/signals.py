"""What planning announces to the domains above it, which it does not import.

A receiver runs inside the sender's transaction: it writes and flushes, never commits. Receivers
are connected once per app by their package's `subscribe` (`pdplanner.SUBSCRIBERS`).
"""

from blinker import Namespace

signals = Namespace()

plans_written = signals.signal("plans-written", doc="""
    Sent with the cycle when plans were written in bulk statements, which pass every ORM flush
    watcher by. `educator_ids`: whose plans changed, or None when the whole cycle was re-planned.""")
