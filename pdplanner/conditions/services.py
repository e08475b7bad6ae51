"""Conditions framework writes: the native (YAML/JSON) importer that `seed conditions` and
`conditions import` share. It reads like the educator framework's importer and reuses its
field readers and its error, so both formats report bad input the same way."""

from dataclasses import dataclass
from pathlib import Path

from pdplanner.audit.services import record
from pdplanner.conditions.models import (
    LEVEL_VALUES,
    AreaCompetency,
    AreaKind,
    ConditionArea,
    ConditionIndicator,
    ConditionLevel,
    ConditionsFramework,
)
from pdplanner.conditions.queries import competency_codes, conditions_versions
from pdplanner.extensions import db
from pdplanner.framework.models import Provenance
from pdplanner.framework.services import FrameworkFormatError, list_field, read_document, text_field


@dataclass(frozen=True)
class ConditionsImport:
    framework: ConditionsFramework
    status: str  # "created", "unchanged" or "new version"


def read_conditions_file(path: str | Path) -> dict:
    return canonical_conditions(read_document(path))


def _mapping(node, where: str) -> dict:
    if not isinstance(node, dict):
        raise FrameworkFormatError(f"{where}: must be a mapping of fields, not {type(node).__name__}")
    return node


def _choice(node: dict, key: str, where: str, enum_class, default: str | None) -> str:
    value = node.get(key, default)
    if value is None:
        raise FrameworkFormatError(f"{where}.{key}: is required")
    allowed = [member.value for member in enum_class]
    if value not in allowed:
        raise FrameworkFormatError(
            f"{where}.{key}: {value!r} must be one of {', '.join(repr(a) for a in allowed)}")
    return value


def _scale(data: dict) -> dict:
    scale = _mapping(data.get("scale"), "scale")
    levels = {}
    for i, level in enumerate(list_field(scale, "levels", "scale")):
        where = f"scale.levels[{i}]"
        level = _mapping(level, where)
        value = level.get("value")
        if value not in LEVEL_VALUES or isinstance(value, bool):
            raise FrameworkFormatError(
                f"{where}.value: {value!r} is not a level of the implementation scale "
                f"({', '.join(map(str, LEVEL_VALUES))})")
        if value in levels:
            raise FrameworkFormatError(f"{where}.value: level {value} is given twice")
        levels[value] = {"value": value, "label": text_field(level, "label", where),
                         "description": text_field(level, "description", where)}
    missing = [v for v in LEVEL_VALUES if v not in levels]
    if missing:
        raise FrameworkFormatError(f"scale.levels: level {missing[0]} is missing; the scale has one "
                                   f"level each for {', '.join(map(str, LEVEL_VALUES))}")
    target = scale.get("target_level", 3)
    if target not in LEVEL_VALUES or isinstance(target, bool):
        raise FrameworkFormatError(f"scale.target_level: {target!r} is not a level of the scale")
    dont_know = text_field(scale, "dont_know_label", "scale", required=False) or "I don't know"
    if dont_know.casefold() in {lv["label"].casefold() for lv in levels.values()}:
        raise FrameworkFormatError(
            f"scale.dont_know_label: {dont_know!r} is also a level's label; \"don't know\" is not a level")
    return {"target_level": target, "dont_know_label": dont_know,
            "levels": [levels[v] for v in LEVEL_VALUES]}


def _area(area: dict, where: str, seen: set[str]) -> dict:
    code = _code(area, where, seen)
    named = f"{where} ({code})"
    indicators = []
    for i, indicator in enumerate(list_field(area, "indicators", named)):
        i_where = f"{where}.indicators[{i}]"
        indicator = _mapping(indicator, i_where)
        i_code = _code(indicator, i_where, seen)
        i_where = f"{i_where} ({i_code})"
        indicators.append({
            "code": i_code,
            "statement": text_field(indicator, "statement", i_where),
            "family_statement": text_field(indicator, "family_statement", i_where, required=False),
            "source": _choice(indicator, "source", i_where, Provenance, Provenance.LOCAL_ADAPTATION.value),
        })
    competencies = area.get("competencies") or []
    if not isinstance(competencies, list):
        raise FrameworkFormatError(f"{named}.competencies: must be a list of competency codes")
    competencies = [" ".join(str(c).split()) for c in competencies]
    repeated = sorted({c for c in competencies if competencies.count(c) > 1})
    if repeated:
        raise FrameworkFormatError(f"{named}.competencies: {repeated[0]} is listed twice")
    return {
        "code": code,
        "name": text_field(area, "name", named),
        "kind": _choice(area, "kind", named, AreaKind, None),
        "source": _choice(area, "source", named, Provenance, Provenance.PUBLISHED.value),
        "description": text_field(area, "description", named, required=False),
        "competencies": competencies,
        "indicators": indicators,
    }


def _code(node: dict, where: str, seen: set[str]) -> str:
    code = text_field(node, "code", where)
    if code in seen:
        raise FrameworkFormatError(f"{where}.code: {code} is used twice")
    seen.add(code)
    return code


def canonical_conditions(data) -> dict:
    """Validate a native conditions framework document and return it in canonical form, the
    form `conditions_to_native` gives, so comparing the two tells whether an import changes anything."""
    data = _mapping(data, "the document")
    seen: set[str] = set()
    areas = [_area(_mapping(area, f"areas[{i}]"), f"areas[{i}]", seen)
             for i, area in enumerate(list_field(data, "areas", "document"))]
    version = data.get("version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise FrameworkFormatError(f"version: {version!r} must be a whole number from 1")
    return {
        "slug": text_field(data, "slug", "document"),
        "title": text_field(data, "title", "document"),
        "version": version,
        "description": text_field(data, "description", "document", required=False),
        "about": text_field(data, "about", "document", required=False),
        "competency_framework": text_field(data, "competency_framework", "document"),
        "scale": _scale(data),
        "areas": areas,
    }


def conditions_to_native(framework: ConditionsFramework) -> dict:
    """The stored conditions framework in the native format (canonical form)."""
    return {
        "slug": framework.slug,
        "title": framework.title,
        "version": framework.version,
        "description": framework.description,
        "about": framework.about,
        "competency_framework": framework.competency_framework,
        "scale": {
            "target_level": framework.target_level,
            "dont_know_label": framework.dont_know_label,
            "levels": [{"value": lv.value, "label": lv.label, "description": lv.description}
                       for lv in framework.levels],
        },
        "areas": [
            {
                "code": a.code, "name": a.name, "kind": a.kind.value, "source": a.source.value,
                "description": a.description,
                "competencies": [c.competency_code for c in a.competencies],
                "indicators": [
                    {"code": i.code, "statement": i.statement, "family_statement": i.family_statement,
                     "source": i.source.value}
                    for i in a.indicators
                ],
            }
            for a in framework.areas
        ],
    }


def check_competencies(document: dict, district_id: int | None) -> None:
    """Every area's competency codes exist in the educator framework the document names."""
    slug = document["competency_framework"]
    known = competency_codes(slug, district_id)
    if known is None:
        raise FrameworkFormatError(
            f"competency_framework: no educator framework {slug!r} is loaded (`seed framework` loads it)")
    for i, area in enumerate(document["areas"]):
        unknown = [code for code in area["competencies"] if code not in known]
        if unknown:
            raise FrameworkFormatError(
                f"areas[{i}] ({area['code']}).competencies: {unknown[0]} is not a competency of {slug}")


def _without_version(document: dict) -> dict:
    return {k: v for k, v in document.items() if k != "version"}


def import_conditions(document: dict, *, district_id: int | None = None, actor=None) -> ConditionsImport:
    """Store a canonical conditions framework, all or nothing.

    Stored versions are never edited (models.refuse_edits_to_stored_versions): the same content
    again changes nothing, and different content under the same slug becomes the next version,
    so a review that used an earlier version keeps exactly what it asked."""
    check_competencies(document, district_id)
    versions = conditions_versions(document["slug"], district_id)
    for existing in versions:
        if _without_version(conditions_to_native(existing)) == _without_version(document):
            return ConditionsImport(existing, "unchanged")
    version = document["version"]
    if any(f.version == version for f in versions):
        version = versions[0].version + 1
    framework = _build(document, version, district_id)
    db.session.add(framework)
    db.session.flush()
    record("conditions_framework.imported", actor=actor, subject=framework, district_id=district_id,
           slug=framework.slug, version=framework.version)
    return ConditionsImport(framework, "new version" if versions else "created")


def _build(document: dict, version: int, district_id: int | None) -> ConditionsFramework:
    scale = document["scale"]
    framework = ConditionsFramework(
        district_id=district_id, slug=document["slug"], version=version, title=document["title"],
        description=document["description"], about=document["about"],
        competency_framework=document["competency_framework"],
        target_level=scale["target_level"], dont_know_label=scale["dont_know_label"],
        levels=[ConditionLevel(**level) for level in scale["levels"]],
    )
    for position, a in enumerate(document["areas"]):
        framework.areas.append(ConditionArea(
            code=a["code"], name=a["name"], kind=AreaKind(a["kind"]), source=Provenance(a["source"]),
            description=a["description"], position=position,
            competencies=[AreaCompetency(competency_code=code, position=p)
                          for p, code in enumerate(a["competencies"])],
            indicators=[
                ConditionIndicator(
                    framework=framework, code=i["code"], statement=i["statement"],
                    family_statement=i["family_statement"], source=Provenance(i["source"]), position=p)
                for p, i in enumerate(a["indicators"])
            ],
        ))
    return framework
