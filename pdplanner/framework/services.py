"""Framework writes: the native (YAML/JSON) importer that `seed framework` and users share."""

import json
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import select

from pdplanner.audit.services import record
from pdplanner.extensions import db
from pdplanner.framework.models import (
    Competency,
    Domain,
    Framework,
    Indicator,
    LevelDescriptor,
    Provenance,
    ScaleLevel,
)


class FrameworkFormatError(ValueError):
    """The file cannot be read as a framework; the message names the field."""


@dataclass(frozen=True)
class ImportOutcome:
    framework: Framework
    status: str  # "created", "unchanged" or "new version"


def read_native_file(path: str | Path) -> dict:
    return canonical_native(read_document(path))


def read_document(path: str | Path):
    """A local native file's data (JSON by its suffix, else YAML), not yet validated."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FrameworkFormatError(f"{path.name}: not UTF-8 text (byte {exc.start} cannot be read)") from None
    try:
        return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise FrameworkFormatError(f"{path.name}: not valid {path.suffix[1:].upper()}: {exc}")


def text_field(node: dict, key: str, where: str, *, required: bool = True) -> str:
    """The field as one line of text; FrameworkFormatError names `where.key` when it is missing."""
    value = node.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise FrameworkFormatError(f"{where}.{key}: is required")
        return ""
    if not isinstance(value, (str, int, float)):
        raise FrameworkFormatError(f"{where}.{key}: must be text, not {type(value).__name__}")
    return " ".join(str(value).split())


def list_field(node: dict, key: str, where: str) -> list:
    value = node.get(key)
    if not isinstance(value, list) or not value:
        raise FrameworkFormatError(f"{where}.{key}: must be a non-empty list")
    return value


def canonical_native(data) -> dict:
    """Validate a native framework document and return it in canonical form.

    The canonical form is what `framework_to_native` produces, so comparing the two tells
    whether an import would change anything.
    """
    if not isinstance(data, dict):
        raise FrameworkFormatError("the document must be a mapping with slug, title and domains")
    scale = data.get("scale")
    if not isinstance(scale, dict):
        raise FrameworkFormatError("scale: is required (levels and target_level)")
    levels = []
    for i, level in enumerate(list_field(scale, "levels", "scale")):
        where = f"scale.levels[{i}]"
        try:
            value = int(level.get("value"))
        except (TypeError, ValueError):
            raise FrameworkFormatError(f"{where}.value: must be a whole number") from None
        levels.append({
            "value": value,
            "label": text_field(level, "label", where),
            "description": text_field(level, "description", where, required=False),
        })
    level_values = [lv["value"] for lv in levels]
    if len(set(level_values)) != len(level_values):
        raise FrameworkFormatError(f"scale.levels: values repeat: {level_values}")
    levels.sort(key=lambda lv: lv["value"])
    try:
        target = int(scale.get("target_level", 3))
    except (TypeError, ValueError):
        raise FrameworkFormatError("scale.target_level: must be a whole number") from None
    if target not in level_values:
        raise FrameworkFormatError(
            f"scale.target_level: {target} is not one of the scale's levels {sorted(level_values)}"
        )

    domains, seen_codes = [], set()
    for d_index, domain in enumerate(list_field(data, "domains", "document")):
        d_where = f"domains[{d_index}]"
        d_code = text_field(domain, "code", d_where)
        competencies = []
        for c_index, comp in enumerate(list_field(domain, "competencies", d_where)):
            c_where = f"{d_where}.competencies[{c_index}]"
            code = text_field(comp, "code", c_where)
            if code in seen_codes or code == d_code:
                raise FrameworkFormatError(f"{c_where}.code: {code} is used twice")
            seen_codes.add(code)
            source = comp.get("source", Provenance.LOCAL_ADAPTATION.value)
            if source not in {p.value for p in Provenance}:
                raise FrameworkFormatError(
                    f"{c_where}.source: {source!r} must be 'published' or 'local-adaptation'"
                )
            descriptors = comp.get("descriptors") or {}
            if not isinstance(descriptors, dict):
                raise FrameworkFormatError(f"{c_where}.descriptors: must map level to text")
            descriptors = {int(k): " ".join(str(v).split()) for k, v in descriptors.items()}
            missing = sorted(set(level_values) - set(descriptors))
            extra = sorted(set(descriptors) - set(level_values))
            if missing or extra:
                raise FrameworkFormatError(
                    f"{c_where}.descriptors ({code}): needs exactly one descriptor per level "
                    f"{sorted(level_values)}; missing {missing}, unknown {extra}"
                )
            competencies.append({
                "code": code,
                "name": text_field(comp, "name", c_where),
                "summary": text_field(comp, "summary", c_where, required=False),
                "statement": text_field(comp, "statement", c_where, required=False),
                "source": source,
                "foundational": bool(comp.get("foundational", False)),
                "indicators": [
                    text_field({"text": t}, "text", f"{c_where}.indicators[{i}]")
                    for i, t in enumerate(comp.get("indicators") or [])
                ],
                "descriptors": dict(sorted(descriptors.items())),
            })
        if d_code in seen_codes:
            raise FrameworkFormatError(f"{d_where}.code: {d_code} is used twice")
        seen_codes.add(d_code)
        domains.append({
            "code": d_code,
            "name": text_field(domain, "name", d_where),
            "need": text_field(domain, "need", d_where, required=False),
            "description": text_field(domain, "description", d_where, required=False),
            "competencies": competencies,
        })

    try:
        version = int(data.get("version", 1))
    except (TypeError, ValueError):
        raise FrameworkFormatError("version: must be a whole number") from None
    return {
        "slug": text_field(data, "slug", "document"),
        "title": text_field(data, "title", "document"),
        "version": version,
        "description": text_field(data, "description", "document", required=False),
        "about": text_field(data, "about", "document", required=False),
        "scale": {
            "target_level": target,
            "not_observed_label": text_field(scale, "not_observed_label", "scale", required=False)
            or "Not yet observed",
            "levels": levels,
        },
        "domains": domains,
    }


def framework_to_native(framework: Framework) -> dict:
    """The stored framework in the native format (canonical form)."""
    return {
        "slug": framework.slug,
        "title": framework.title,
        "version": framework.version,
        "description": framework.description,
        "about": framework.about,
        "scale": {
            "target_level": framework.target_level,
            "not_observed_label": framework.not_observed_label,
            "levels": [
                {"value": lv.value, "label": lv.label, "description": lv.description}
                for lv in framework.levels
            ],
        },
        "domains": [
            {
                "code": d.code,
                "name": d.name,
                "need": d.need,
                "description": d.description,
                "competencies": [
                    {
                        "code": c.code,
                        "name": c.name,
                        "summary": c.summary,
                        "statement": c.statement,
                        "source": c.source.value,
                        "foundational": c.foundational,
                        "indicators": [i.text for i in c.indicators],
                        "descriptors": {ld.level: ld.text for ld in c.descriptors},
                    }
                    for c in d.competencies
                ]
            }
            for d in framework.domains
        ],
    }


def _without_version(document: dict) -> dict:
    return {k: v for k, v in document.items() if k != "version"}


def import_native(document: dict, *, district_id: int | None = None, actor=None,
                  source_format: str = "native") -> ImportOutcome:
    """Store a canonical native framework.

    Stored versions are never edited: the same content again changes nothing, and different
    content under the same slug becomes the next version, so cycles that pinned an earlier
    version keep exactly what they rated against.
    """
    versions = db.session.scalars(
        select(Framework)
        .where(Framework.slug == document["slug"], Framework.district_id.is_not_distinct_from(district_id))
        .order_by(Framework.version.desc())
    ).all()
    for existing in versions:
        if _without_version(framework_to_native(existing)) == _without_version(document):
            return ImportOutcome(existing, "unchanged")
    version = document["version"]
    if any(f.version == version for f in versions):
        version = versions[0].version + 1
    framework = _build(document, version, district_id)
    db.session.add(framework)
    db.session.flush()
    record(
        "framework.imported", actor=actor, subject=framework, district_id=district_id,
        slug=framework.slug, version=framework.version, format=source_format,
    )
    return ImportOutcome(framework, "new version" if versions else "created")


def _build(document: dict, version: int, district_id: int | None) -> Framework:
    scale = document["scale"]
    framework = Framework(
        district_id=district_id,
        slug=document["slug"],
        version=version,
        title=document["title"],
        description=document["description"],
        about=document["about"],
        target_level=scale["target_level"],
        not_observed_label=scale["not_observed_label"],
        levels=[ScaleLevel(**level) for level in scale["levels"]],
    )
    position = 0
    for d_position, d in enumerate(document["domains"]):
        domain = Domain(
            code=d["code"], name=d["name"], need=d["need"], description=d["description"],
            position=d_position, framework=framework,
        )
        for c in d["competencies"]:
            domain.competencies.append(Competency(
                framework=framework,
                code=c["code"],
                name=c["name"],
                summary=c["summary"],
                statement=c["statement"],
                source=Provenance(c["source"]),
                foundational=c["foundational"],
                position=position,
                indicators=[Indicator(position=i, text=t) for i, t in enumerate(c["indicators"])],
                descriptors=[LevelDescriptor(level=lv, text=t) for lv, t in c["descriptors"].items()],
            ))
            position += 1
    return framework
