"""CASE (1EdTech Competencies and Academic Standards Exchange) packages <-> native documents.

Pure conversion, no database: `native_to_case` turns a canonical native document into a CASE 1.1
CFPackage, and `case_to_native` reads a CASE 1.0 or 1.1 package (leniently, as real packages come)
into a native document for `canonical_native` and `import_native`, which validate and version it.
docs/CASE.md is the mapping, field by field, and the rules for packages that pdplanner did not
write.
"""

import unicodedata
import uuid
from collections import defaultdict
from datetime import UTC, datetime

from pdplanner.framework.models import Competency, Domain, Framework, ScaleLevel
from pdplanner.framework.services import FrameworkFormatError

# Fixed forever: the identifiers of everything ever exported are derived from it.
NAMESPACE = uuid.UUID("6f1d3c52-8a4e-5b7f-9c21-0d5e8b3a7f64")
EXTENSION = "pdplanner"
DOMAIN, COMPETENCY, INDICATOR = "Domain", "Competency", "Indicator"
ITEM_TYPES = {t.lower(): t for t in (DOMAIN, COMPETENCY, INDICATOR)}
CREATOR = "pdplanner"


def _width(column) -> int:
    return column.property.columns[0].type.length


CODE_MAX = _width(Competency.code)
DOMAIN_NAME_MAX = _width(Domain.name)
COMPETENCY_NAME_MAX = _width(Competency.name)
SUMMARY_MAX = _width(Competency.summary)
NEED_MAX = _width(Domain.need)
TITLE_MAX = _width(Framework.title)
SLUG_MAX = _width(Framework.slug)
LABEL_MAX = _width(ScaleLevel.label)

# pdplanner's default scale (the same as seeds/frameworks/educator-competencies.yaml; a test
# keeps the two equal): a package without rubrics gets it, see `_scale_without_rubrics`.
DEFAULT_LEVELS = [
    {"value": 1, "label": "Exploring",
     "description": "Is aware of the practice and is trying it out with support."},
    {"value": 2, "label": "Developing",
     "description": "Uses the practice sometimes or in parts, with guidance."},
    {"value": 3, "label": "Proficient",
     "description": "Uses the practice consistently and independently in everyday work."},
    {"value": 4, "label": "Leading",
     "description": "Uses the practice fluently and helps colleagues and the school do it too."},
]
DEFAULT_NOT_OBSERVED = "Not yet observed"
NO_RUBRIC_NOTE = (
    "The package has no rubric (CFRubrics), so pdplanner gave it its default scale (Exploring, "
    "Developing, Proficient, Leading), and each competency's descriptor at a level repeats that "
    "level's general meaning. Import a version with rubrics to give competencies their own descriptors."
)


# -- export -----------------------------------------------------------------------------------

class _Ids:
    """Deterministic identifiers and uris: the same framework exports byte-identically twice,
    and an item keeps its identifier across versions, as CASE expects of an updated framework."""

    def __init__(self, identity: str, uri_base: str):
        self.identity, self.uri_base = identity, uri_base.rstrip("/")

    def identifier(self, key: str) -> str:
        return str(uuid.uuid5(NAMESPACE, f"{self.identity}/{key}"))

    def uri(self, kind: str, identifier: str) -> str:
        return f"{self.uri_base}/{kind}/{identifier}"

    def node(self, kind: str, key: str, **fields) -> dict:
        identifier = self.identifier(key)
        return {"identifier": identifier, "uri": self.uri(kind, identifier), **fields}

    def link(self, node: dict, title: str) -> dict:
        return {"title": title, "identifier": node["identifier"], "uri": node["uri"]}


def _present(**fields) -> dict:
    """CASE leaves optional text out rather than sending it empty."""
    return {k: v for k, v in fields.items() if v not in ("", None)}


def native_to_case(document: dict, *, identity: str, uri_base: str, changed_at: datetime) -> dict:
    """A canonical native document as a CASE 1.1 CFPackage (readable as 1.0: nothing in it is
    required only by 1.1). `identity` names the framework across versions (scope and slug)."""
    ids = _Ids(identity, uri_base)
    stamp = changed_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    scale = document["scale"]
    cf_document = ids.node("CFDocuments", "document", **_present(
        creator=CREATOR, title=document["title"], lastChangeDateTime=stamp,
        description=document["description"], notes=document["about"], version=str(document["version"]),
    ))
    cf_document["extensions"] = {EXTENSION: {
        "slug": document["slug"],
        "targetLevel": scale["target_level"],
        "notObservedLabel": scale["not_observed_label"],
        "levels": scale["levels"],
    }}
    item_types = {
        name: ids.node("CFItemTypes", f"item-type/{name}", title=name, description=description,
                       hierarchyCode=str(depth), typeCode=name, lastChangeDateTime=stamp)
        for depth, (name, description) in enumerate([
            (DOMAIN, "A group of competencies, named by what educators need to do with it."),
            (COMPETENCY, "What an educator is rated on, level by level of the scale."),
            (INDICATOR, "Observable behaviour that shows the competency."),
        ], start=1)
    }

    items, associations = [], []

    def add(kind: str, key: str, parent: dict, parent_title: str, position: int, title: str, **fields):
        item = ids.node("CFItems", key, CFItemType=kind,
                        CFItemTypeURI=ids.link(item_types[kind], kind), **fields,
                        lastChangeDateTime=stamp)
        items.append(item)
        associations.append(ids.node(
            "CFAssociations", f"isChildOf/{key}", associationType="isChildOf", sequenceNumber=position,
            originNodeURI=ids.link(item, title), destinationNodeURI=ids.link(parent, parent_title),
            lastChangeDateTime=stamp,
        ))
        return item

    rubric = ids.node("CFRubrics", "rubric", title=f"{document['title']}: levels",
                      description="One criterion per competency, one level per level of the scale.",
                      lastChangeDateTime=stamp)
    criteria = []
    for d_position, domain in enumerate(document["domains"], start=1):
        domain_item = add(DOMAIN, f"domain/{domain['code']}", cf_document, document["title"], d_position,
                          domain["code"], **_present(
                              humanCodingScheme=domain["code"], abbreviatedStatement=domain["name"],
                              fullStatement=domain["description"] or domain["name"],
                              alternativeLabel=domain["need"]))
        for c_position, comp in enumerate(domain["competencies"], start=1):
            code = comp["code"]
            comp_item = add(COMPETENCY, f"competency/{code}", domain_item, domain["code"], c_position,
                            code, **_present(
                                humanCodingScheme=code, abbreviatedStatement=comp["name"],
                                fullStatement=comp["statement"] or comp["name"],
                                alternativeLabel=comp["summary"]))
            comp_item["extensions"] = {EXTENSION: {"source": comp["source"],
                                                   "foundational": comp["foundational"]}}
            for i_position, text in enumerate(comp["indicators"], start=1):
                add(INDICATOR, f"indicator/{code}/{i_position}", comp_item, code, i_position,
                    f"{code} indicator {i_position}", fullStatement=text)
            criterion = ids.node("CFRubricCriteria", f"criterion/{code}", category=comp["name"],
                                 CFItemURI=ids.link(comp_item, code), position=len(criteria) + 1,
                                 rubricId=rubric["identifier"], lastChangeDateTime=stamp)
            criterion["CFRubricCriterionLevels"] = [
                ids.node("CFRubricCriterionLevels", f"criterion-level/{code}/{level['value']}",
                         **_present(description=comp["descriptors"][level["value"]]),
                         quality=level["label"], score=level["value"], position=position,
                         rubricCriterionId=criterion["identifier"], lastChangeDateTime=stamp)
                for position, level in enumerate(scale["levels"], start=1)
            ]
            criteria.append(criterion)
    rubric["CFRubricCriteria"] = criteria
    return {
        "CFDocument": cf_document,
        "CFItems": items,
        "CFAssociations": associations,
        "CFDefinitions": {"CFItemTypes": list(item_types.values())},
        "CFRubrics": [rubric],
    }


# -- import -----------------------------------------------------------------------------------

def _collapse(value) -> str:
    if value is None or isinstance(value, (dict, list, bool)):
        return ""
    return " ".join(str(value).split())


def _sequence(value) -> int | None:
    """sequenceNumber as an int, whether the file has 2, "2" or 2.0; anything else orders as missing."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _whole(value) -> int | None:
    return _sequence(value)


def _shortened(text: str, limit: int) -> str:
    """The longest run of whole words that fits in `limit` with an ellipsis."""
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip(" ,;:.") + "…"


def slug_from_title(title: str) -> str:
    """A slug for a package pdplanner did not write: NFKD folds e.g. mathematical italic letters
    to plain ones, so "UTF8 𝑑 Test" becomes utf8-d-test."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = "".join(ch.lower() if ch.isalnum() else " " for ch in ascii_title).split()
    slug = "-".join(words)[:SLUG_MAX].strip("-")
    return slug or "case-framework"


class _Package:
    """The parts of a package the conversion reads, indexed, with errors that name the item."""

    def __init__(self, package):
        if not isinstance(package, dict):
            raise FrameworkFormatError("a CASE package must be a JSON object with CFDocument and CFItems")
        document = package.get("CFDocument")
        if not isinstance(document, dict):
            raise FrameworkFormatError(
                "CFDocument: is missing, so this is not a CASE package (a CFPackage has CFDocument, "
                "CFItems and CFAssociations)")
        self.document = document
        self.document_id = _collapse(document.get("identifier"))
        if not self.document_id:
            raise FrameworkFormatError("CFDocument.identifier: is required")
        extensions = document.get("extensions")
        extension = extensions.get(EXTENSION) if isinstance(extensions, dict) else None
        self.extension = extension if isinstance(extension, dict) else None

        self.items, self.index_of = {}, {}
        for index, item in enumerate(self._list(package, "CFItems")):
            if not isinstance(item, dict):
                raise FrameworkFormatError(f"CFItems[{index}]: must be an object")
            identifier = _collapse(item.get("identifier"))
            if not identifier:
                raise FrameworkFormatError(f"CFItems[{index}].identifier: is required")
            if identifier in self.items:
                raise FrameworkFormatError(
                    f"CFItems[{index}].identifier: {identifier} is also CFItems[{self.index_of[identifier]}]")
            self.items[identifier], self.index_of[identifier] = item, index
        self.by_uri = {_collapse(node.get("uri")): identifier
                       for identifier, node in [(self.document_id, document), *self.items.items()]
                       if _collapse(node.get("uri"))}
        self.associations = self._list(package, "CFAssociations")
        self.rubrics = self._list(package, "CFRubrics")

    @staticmethod
    def _list(package: dict, key: str) -> list:
        value = package.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise FrameworkFormatError(f"{key}: must be a list, not {type(value).__name__}")
        return value

    def where(self, identifier: str) -> str:
        if identifier == self.document_id:
            return "CFDocument"
        item = self.items[identifier]
        code = _collapse(item.get("humanCodingScheme"))
        return f"CFItems[{self.index_of[identifier]}] ({code + ', ' if code else ''}{identifier})"

    def node_id(self, link, where: str) -> str:
        """The identifier a LinkGenURI names; a bare uri string (seen in some exports) works too."""
        if isinstance(link, dict):
            identifier = _collapse(link.get("identifier"))
            if identifier:
                return identifier
            link = link.get("uri")
        uri = _collapse(link)
        if uri in self.by_uri:
            return self.by_uri[uri]
        if not uri:
            raise FrameworkFormatError(f"{where}: is required (a title, identifier and uri)")
        return uri

    def tree(self) -> dict[str, list[str]]:
        """Children by parent, from isChildOf, in sequenceNumber order (file order without one).

        An item with several parents keeps the first; an item with none sits under the document
        after the others; every other association type is ignored.
        """
        parent_of, children = {}, defaultdict(list)
        for index, association in enumerate(self.associations):
            if not isinstance(association, dict) or association.get("associationType") != "isChildOf":
                continue
            where = f"CFAssociations[{index}] ({_collapse(association.get('identifier')) or 'no identifier'})"
            origin = self.node_id(association.get("originNodeURI"), f"{where}.originNodeURI")
            destination = self.node_id(association.get("destinationNodeURI"),
                                       f"{where}.destinationNodeURI")
            if origin not in self.items:
                raise FrameworkFormatError(
                    f"{where}.originNodeURI: {origin} is not an item of this package (CFItems)")
            if destination != self.document_id and destination not in self.items:
                raise FrameworkFormatError(
                    f"{where}.destinationNodeURI: {destination} is neither the CFDocument nor an item "
                    "of this package")
            if origin in parent_of:
                continue
            parent_of[origin] = destination
            children[destination].append((_sequence(association.get("sequenceNumber")), index, origin))
        self._refuse_cycles(parent_of)
        ordered = {parent: [child for _, _, child in sorted(
            kids, key=lambda kid: (kid[0] is None, kid[0] or 0, kid[1]))]
            for parent, kids in children.items()}
        orphans = [identifier for identifier in self.items if identifier not in parent_of]
        ordered[self.document_id] = ordered.get(self.document_id, []) + orphans
        return ordered

    def _refuse_cycles(self, parent_of: dict) -> None:
        settled = {self.document_id}
        for start in parent_of:
            path, node = [], start
            while node not in settled and node in parent_of:
                if node in path:
                    loop = path[path.index(node):] + [node]
                    raise FrameworkFormatError(
                        "CFAssociations: isChildOf goes round in a cycle: "
                        + " is a child of ".join(self.where(n) for n in loop))
                path.append(node)
                node = parent_of[node]
            settled.update(path)

    def declared_type(self, identifier: str) -> str | None:
        return ITEM_TYPES.get(_collapse(self.items[identifier].get("CFItemType")).lower())


def _name_and_text(package: _Package, identifier: str, limit: int) -> tuple[str, str]:
    """(name, longer text) of a domain or competency: the abbreviatedStatement names it and the
    fullStatement is its text; without an abbreviatedStatement the fullStatement is the name,
    shortened at a word when it is too long (the whole of it is then kept as the text)."""
    item = package.items[identifier]
    full = _collapse(item.get("fullStatement"))
    short = _collapse(item.get("abbreviatedStatement"))
    if not (full or short):
        raise FrameworkFormatError(f"{package.where(identifier)}.fullStatement: is required")
    if short:
        if len(short) > limit:
            raise FrameworkFormatError(
                f"{package.where(identifier)}.abbreviatedStatement: is {len(short)} characters; "
                f"pdplanner names are at most {limit}")
        return short, "" if full == short else full
    if len(full) <= limit:
        return full, ""
    return _shortened(full, limit), full


def _fits(package: _Package, identifier: str, field: str, limit: int, what: str) -> str:
    value = _collapse(package.items[identifier].get(field))
    if len(value) > limit:
        raise FrameworkFormatError(
            f"{package.where(identifier)}.{field}: {value!r} is {len(value)} characters; "
            f"a {what} is at most {limit}")
    return value


def _structure(package: _Package) -> list[dict]:
    """Domains, competencies and indicators from the tree (docs/CASE.md, "Structure").

    A declared CFItemType of Domain, Competency or Indicator is obeyed. Any other item takes its
    place from where it sits: under the document, an item with children is a domain and one
    without is a competency (of a domain standing for the document itself); under a domain, a
    competency; under a competency, an indicator, and so is everything deeper, in tree order.
    """
    tree = package.tree()
    domains, document_domain = [], None

    def indicators_under(identifier: str) -> list[str]:
        found = []
        for child in tree.get(identifier, []):
            declared = package.declared_type(child)
            if declared in (DOMAIN, COMPETENCY):
                raise FrameworkFormatError(
                    f"{package.where(child)}.CFItemType: a {declared} cannot sit inside competency "
                    f"{package.where(identifier)}")
            text = _collapse(package.items[child].get("fullStatement")) or _collapse(
                package.items[child].get("abbreviatedStatement"))
            if not text:
                raise FrameworkFormatError(f"{package.where(child)}.fullStatement: is required")
            found.append(text)
            found += indicators_under(child)
        return found

    def competency(identifier: str) -> dict:
        name, statement = _name_and_text(package, identifier, COMPETENCY_NAME_MAX)
        return {"identifier": identifier, "name": name, "statement": statement,
                "summary": _fits(package, identifier, "alternativeLabel", SUMMARY_MAX, "summary"),
                "indicators": indicators_under(identifier)}

    for top in tree.get(package.document_id, []):
        role = package.declared_type(top) or (DOMAIN if tree.get(top) else COMPETENCY)
        if role == INDICATOR:
            raise FrameworkFormatError(
                f"{package.where(top)}.CFItemType: an Indicator must sit under a Competency, "
                "not directly under the CFDocument")
        if role == COMPETENCY:
            if document_domain is None:
                document_domain = {"identifier": None, "competencies": []}
                domains.append(document_domain)
            document_domain["competencies"].append(competency(top))
            continue
        name, description = _name_and_text(package, top, DOMAIN_NAME_MAX)
        domain = {"identifier": top, "name": name, "description": description,
                  "need": _fits(package, top, "alternativeLabel", NEED_MAX, "domain's need"),
                  "competencies": []}
        for child in tree.get(top, []):
            declared = package.declared_type(child)
            if declared not in (None, COMPETENCY):
                raise FrameworkFormatError(
                    f"{package.where(child)}.CFItemType: a {declared} cannot sit directly under "
                    f"domain {package.where(top)}; only competencies can")
            domain["competencies"].append(competency(child))
        if not domain["competencies"]:
            raise FrameworkFormatError(
                f"{package.where(top)}: domain {name!r} has no competencies (no item is a child of it)")
        domains.append(domain)
    if not domains:
        raise FrameworkFormatError(
            "the package has no competencies: CFItems is empty" if not package.items else
            "the package has no competencies: no item is linked under the CFDocument by isChildOf")
    return domains


def _assign_codes(package: _Package, domains: list[dict]) -> None:
    """humanCodingScheme, or D1, D2 ... and D1.1, D1.2 ... where an item has none; a code that
    does not fit or repeats is refused, never cut short or renamed."""
    owner = {}

    def claim(code: str, identifier: str | None, where: str):
        if len(code) > CODE_MAX:
            raise FrameworkFormatError(
                f"{where}.humanCodingScheme: {code!r} is {len(code)} characters; pdplanner codes are "
                f"at most {CODE_MAX}. Shorten it in the package and import again")
        if code in owner:
            raise FrameworkFormatError(f"{where}.humanCodingScheme: {code!r} is also the code of "
                                       f"{owner[code]}; codes must be unique in a framework")
        owner[code] = where

    for d_index, domain in enumerate(domains, start=1):
        identifier = domain["identifier"]
        if identifier is None:
            domain["code"], where = f"D{d_index}", "CFDocument (as the domain of its top-level items)"
        else:
            where = package.where(identifier)
            domain["code"] = _collapse(package.items[identifier].get("humanCodingScheme")) or f"D{d_index}"
        claim(domain["code"], identifier, where)
        for c_index, comp in enumerate(domain["competencies"], start=1):
            where = package.where(comp["identifier"])
            comp["code"] = (_collapse(package.items[comp["identifier"]].get("humanCodingScheme"))
                            or f"{domain['code']}.{c_index}")
            claim(comp["code"], comp["identifier"], where)


def _rubric_criteria(package: _Package, competencies: dict[str, dict]) -> tuple[list[dict], dict]:
    """(scale levels, descriptors by competency identifier) from the CFRubrics."""
    labels, label_source, descriptors = {}, {}, {}
    for r_index, rubric in enumerate(package.rubrics):
        criteria = rubric.get("CFRubricCriteria") if isinstance(rubric, dict) else None
        for c_index, criterion in enumerate(criteria or []):
            where = (f"CFRubrics[{r_index}].CFRubricCriteria[{c_index}] "
                     f"({_collapse(criterion.get('identifier')) or 'no identifier'})")
            target = package.node_id(criterion.get("CFItemURI"), f"{where}.CFItemURI")
            if target not in competencies:
                kind = "not an item of this package" if target not in package.items else "not a competency"
                raise FrameworkFormatError(
                    f"{where}.CFItemURI: {target} is {kind}; each criterion describes one competency")
            if target in descriptors:
                raise FrameworkFormatError(
                    f"{where}: competency {competencies[target]['code']} already has a criterion; "
                    "pdplanner reads one criterion per competency")
            levels = {}
            for l_index, level in enumerate(criterion.get("CFRubricCriterionLevels") or []):
                l_where = f"{where}.CFRubricCriterionLevels[{l_index}]"
                score = _whole(level.get("score"))
                if score is None:
                    raise FrameworkFormatError(
                        f"{l_where}.score: {level.get('score')!r} is not a whole number; pdplanner's "
                        "scale levels are whole numbers")
                quality = _collapse(level.get("quality"))
                if not quality:
                    raise FrameworkFormatError(f"{l_where}.quality: is required (the level's label)")
                if len(quality) > LABEL_MAX:
                    raise FrameworkFormatError(
                        f"{l_where}.quality: {quality!r} is {len(quality)} characters; a level's label "
                        f"is at most {LABEL_MAX}")
                if labels.setdefault(score, quality) != quality:
                    raise FrameworkFormatError(
                        f"{l_where}.quality: level {score} is {quality!r} here but {labels[score]!r} in "
                        f"{label_source[score]}; a level has one label across the rubric")
                label_source.setdefault(score, l_where)
                if score in levels:
                    raise FrameworkFormatError(
                        f"{l_where}.score: level {score} appears twice in the criterion")
                levels[score] = _collapse(level.get("description"))
            descriptors[target] = levels
    missing = [c["code"] for identifier, c in competencies.items() if identifier not in descriptors]
    if missing:
        raise FrameworkFormatError(
            f"CFRubrics: competencies {', '.join(missing)} have no criterion; when a package has "
            "rubrics, every competency needs one, with one level per level of the scale")
    levels = [{"value": value, "label": labels[value], "description": ""} for value in sorted(labels)]
    return levels, descriptors


def _default_target(values: list[int]) -> int:
    """The level below the top when there are three or more (Proficient on a 1-4 scale)."""
    return values[-2] if len(values) >= 3 else values[-1]


def _about(package: _Package, has_rubrics: bool) -> str:
    document = package.document
    if package.extension is not None:
        return _collapse(document.get("notes"))
    said = f"Imported from the CASE package “{_collapse(document.get('title'))}”"
    for field, phrase in [("creator", " by {}"), ("publisher", ", published by {}"),
                          ("version", ", version {}"), ("adoptionStatus", " ({})")]:
        value = _collapse(document.get(field))
        if value and not (field == "publisher" and value == _collapse(document.get("creator"))):
            said += phrase.format(value)
    parts = [said + ".", _collapse(document.get("notes"))]
    if _collapse(document.get("officialSourceURL")):
        parts.append(f"Source: {_collapse(document.get('officialSourceURL'))}")
    if not has_rubrics:
        parts.append(NO_RUBRIC_NOTE)
    return " ".join(p for p in parts if p)


def case_to_native(package) -> dict:
    """A CASE 1.0 or 1.1 CFPackage as a native document (not yet canonical).

    Lenient where real packages differ and nothing is lost (sequenceNumber as text, dates in any
    form, unknown fields and association types, CASE 1.0's CFDocumentURI); an error naming the
    item and field where the package cannot become a framework.
    """
    parsed = _Package(package)
    document, extension = parsed.document, parsed.extension or {}
    title = _collapse(document.get("title"))
    if not title:
        raise FrameworkFormatError("CFDocument.title: is required")
    if len(title) > TITLE_MAX:
        raise FrameworkFormatError(f"CFDocument.title: is {len(title)} characters; at most {TITLE_MAX}")
    domains = _structure(parsed)
    _assign_codes(parsed, domains)
    competencies = {c["identifier"]: c for d in domains for c in d["competencies"]}

    has_rubrics = any(isinstance(r, dict) and r.get("CFRubricCriteria") for r in parsed.rubrics)
    extension_levels = [lv for lv in extension.get("levels") or [] if isinstance(lv, dict)]
    if has_rubrics:
        levels, descriptors = _rubric_criteria(parsed, competencies)
        described = {_whole(lv.get("value")): _collapse(lv.get("description")) for lv in extension_levels}
        for level in levels:
            level["description"] = described.get(level["value"], "")
    else:
        levels = [{"value": _whole(lv.get("value")), "label": _collapse(lv.get("label")),
                   "description": _collapse(lv.get("description"))}
                  for lv in extension_levels] or [dict(lv) for lv in DEFAULT_LEVELS]
        descriptors = {identifier: {lv["value"]: lv["description"] for lv in levels}
                       for identifier in competencies}
    values = sorted(lv["value"] for lv in levels if lv["value"] is not None)
    target = _whole(extension.get("targetLevel"))

    slug = _collapse(extension.get("slug")) or slug_from_title(title)
    if len(slug) > SLUG_MAX:
        raise FrameworkFormatError(f"CFDocument.extensions.{EXTENSION}.slug: is {len(slug)} characters; "
                                   f"at most {SLUG_MAX}")
    return {
        "slug": slug,
        "title": title,
        "version": _whole(document.get("version")) or 1,
        "description": _collapse(document.get("description")),
        "about": _about(parsed, has_rubrics),
        "scale": {
            "target_level": target if target in values else _default_target(values) if values else None,
            "not_observed_label": _collapse(extension.get("notObservedLabel")) or DEFAULT_NOT_OBSERVED,
            "levels": levels,
        },
        "domains": [
            {
                "code": domain["code"],
                "name": domain.get("name") or (
                    title if len(title) <= DOMAIN_NAME_MAX else _shortened(title, DOMAIN_NAME_MAX)),
                "need": domain.get("need", ""),
                "description": domain.get("description", ""),
                "competencies": [
                    {
                        "code": comp["code"],
                        "name": comp["name"],
                        "summary": comp["summary"],
                        "statement": comp["statement"],
                        **_competency_extension(parsed, comp["identifier"]),
                        "indicators": comp["indicators"],
                        "descriptors": descriptors[comp["identifier"]],
                    }
                    for comp in domain["competencies"]
                ],
            }
            for domain in domains
        ],
    }


def _competency_extension(package: _Package, identifier: str) -> dict:
    """Provenance and the foundational flag: pdplanner's own, so kept in its extension. A package
    from elsewhere is a published framework, taken as it is."""
    extensions = package.items[identifier].get("extensions")
    own = extensions.get(EXTENSION) if isinstance(extensions, dict) else None
    if not isinstance(own, dict):
        return {"source": "published", "foundational": False}
    return {"source": own.get("source", "published"), "foundational": bool(own.get("foundational", False))}
