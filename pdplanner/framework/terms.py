"""A framework version's terms (domains, competencies, scale) as immutable plain data, kept per
process: the pages that name and scale ratings read them on every request (docs/DECISIONS.md,
"Framework terms kept per process").

Safe because a stored framework version is never edited ("Frameworks are immutable versions"):
the services only add new versions, under new ids. This process also forgets every kept version
whenever it writes to a framework's tables, through the ORM or a bulk statement, so an edit a
test makes to a framework, or a version created in a rolled-back transaction whose id SQLite
hands out again, is read afresh."""

from dataclasses import dataclass

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from pdplanner.extensions import db
from pdplanner.framework.models import Competency, Domain, Framework, ScaleLevel


@dataclass(frozen=True)
class CompetencyTerms:
    code: str
    name: str
    domain_code: str


@dataclass(frozen=True)
class DomainTerms:
    code: str
    name: str


@dataclass(frozen=True)
class FrameworkTerms:
    """What the pages read of a framework version to name and scale ratings: its domains and
    competencies in framework order and its scale, as immutable plain values."""

    id: int
    target_level: int
    domains: tuple[DomainTerms, ...]
    competencies: tuple[CompetencyTerms, ...]
    levels: tuple[tuple[int, str], ...]     # (value, label), lowest first

    @property
    def max_level(self) -> int:
        return max(value for value, _ in self.levels)


FRAMEWORK_MODELS = (Framework, Domain, Competency, ScaleLevel)
FRAMEWORK_TABLES = frozenset(model.__table__ for model in FRAMEWORK_MODELS)
_TERMS: dict[tuple, FrameworkTerms] = {}


def framework_terms(framework_id: int) -> FrameworkTerms:
    """The framework version's terms, read once per process and database (three statements
    then, none after; see the module's docstring for why that is safe)."""
    key = (db.engine.url, framework_id)
    terms = _TERMS.get(key)
    if terms is None:
        terms = _TERMS[key] = _read_terms(framework_id)
    return terms


def _read_terms(framework_id: int) -> FrameworkTerms:
    target_level = db.session.scalar(select(Framework.target_level).where(Framework.id == framework_id))
    if target_level is None:
        raise LookupError(f"framework {framework_id}: no such framework")
    rows = db.session.execute(
        select(Domain.code, Domain.name, Competency.code, Competency.name)
        .outerjoin(Competency, Competency.domain_id == Domain.id)
        .where(Domain.framework_id == framework_id)
        .order_by(Domain.position, Competency.position)).all()
    levels = db.session.execute(select(ScaleLevel.value, ScaleLevel.label)
                                .where(ScaleLevel.framework_id == framework_id)
                                .order_by(ScaleLevel.value)).all()
    domains = {code: DomainTerms(code, name) for code, name, _, _ in rows}
    return FrameworkTerms(
        id=framework_id, target_level=target_level, domains=tuple(domains.values()),
        competencies=tuple(CompetencyTerms(code, name, domain) for domain, _, code, name in rows
                           if code is not None),
        levels=tuple((value, label) for value, label in levels))


def forget_framework_terms() -> None:
    _TERMS.clear()


@event.listens_for(Session, "after_flush")
def _forget_on_flush(session, _context) -> None:
    if any(isinstance(o, FRAMEWORK_MODELS) for o in (*session.new, *session.dirty, *session.deleted)):
        forget_framework_terms()


@event.listens_for(Session, "do_orm_execute")
def _forget_on_statement(state) -> None:
    if (state.is_insert or state.is_update or state.is_delete) and state.statement.table in FRAMEWORK_TABLES:
        forget_framework_terms()
