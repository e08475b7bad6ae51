"""The page views' transaction: try the service, commit, or roll back and show the problem.

Services flush; the request commits once (docs/ARCHITECTURE.md, rule 3). A page view wraps its
service call in `attempt(<the service's refusals>)`: the block's writes, audit events included,
are committed together when it ends normally, or rolled back together when the service refuses,
and the page then shows the refusal (flashed, or on the form when the view says so). The API's
counterpart is `one_transaction`. This module imports only Flask and the extensions, so every
views module can use it.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import flash

from pdplanner.extensions import db


@dataclass
class Outcome:
    """What the block did: `error` is the refusal that rolled it back, `result` what it kept."""

    error: Exception | None = None
    result: Any = None

    @property
    def ok(self) -> bool:
        return self.error is None


@contextmanager
def attempt(*refusals: type[Exception], flash_refusal: bool = True) -> Iterator[Outcome]:
    """Commit the block's writes, or on one of `refusals` roll them back, flash the refusal's
    message as an error (unless `flash_refusal` is False: the view shows it itself) and go on
    after the block with `outcome.error` set. Any other exception rolls nothing back here: it
    propagates to the error handlers, which roll back."""
    outcome = Outcome()
    try:
        yield outcome
    except refusals as exc:
        db.session.rollback()
        outcome.error = exc
        if flash_refusal:
            flash(str(exc), "error")
    else:
        db.session.commit()
