"""/api/v1: frameworks: the list the caller's district can use, one framework natively or as a
CASE package, and (district admins) importing a framework file, as on the Frameworks page."""

import marshmallow as ma
from flask import jsonify
from flask_smorest.fields import Upload
from marshmallow import fields, validate

from pdplanner.accounts.models import Role
from pdplanner.api.plumbing import PageArgs, Routes, caller, described, one_transaction, page_of, page_of_list
from pdplanner.framework.exchange import case_package, import_framework_file, upload_content
from pdplanner.framework.queries import framework_for_browsing, visible_frameworks
from pdplanner.framework.services import framework_to_native
from pdplanner.permissions import role_required, signed_in

admin_only = role_required(Role.DISTRICT_ADMIN)
routes = Routes()


# -- schemas --------------------------------------------------------------------------------

class FrameworkFormatArgs(ma.Schema):
    format = fields.String(
        load_default="native",
        validate=validate.OneOf(["native", "case"], error="Must be native or case."),
        **described("The representation: `native` (the pdplanner format, answered as `Framework`) or "
                    "`case` (a CASE 1.1 CFPackage, answered as `CFPackage`; docs/CASE.md has the "
                    "mapping).", enum=["native", "case"]),
    )


class FrameworkSummarySchema(ma.Schema):
    id = fields.Integer()
    slug = fields.String()
    title = fields.String()
    version = fields.Integer()


class ScaleLevelSchema(ma.Schema):
    value = fields.Integer()
    label = fields.String()
    description = fields.String()


class ScaleSchema(ma.Schema):
    target_level = fields.Integer()
    not_observed_label = fields.String()
    levels = fields.List(fields.Nested(ScaleLevelSchema))


class CompetencySchema(ma.Schema):
    code = fields.String()
    name = fields.String()
    summary = fields.String()
    statement = fields.String()
    source = fields.String()
    foundational = fields.Boolean()
    indicators = fields.List(fields.String())
    descriptors = fields.Dict(keys=fields.String(), values=fields.String(),
                              **described("Descriptor text by level."))


class DomainSchema(ma.Schema):
    code = fields.String()
    name = fields.String()
    need = fields.String()
    description = fields.String()
    competencies = fields.List(fields.Nested(CompetencySchema))


class FrameworkSchema(FrameworkSummarySchema):
    """The framework in the native format (as `framework export --format native`), plus its id."""

    description = fields.String()
    about = fields.String()
    scale = fields.Nested(ScaleSchema)
    domains = fields.List(fields.Nested(DomainSchema))


# -- CASE (1EdTech Competencies and Academic Standards Exchange) ----------------------------
# The CFPackage that `?format=case` answers, as pdplanner writes it (a subset of CASE 1.1).

class CaseLinkSchema(ma.Schema):
    title = fields.String()
    identifier = fields.String()
    uri = fields.String()


class CaseNodeSchema(ma.Schema):
    identifier = fields.String(**described("A UUID, the same in every export of the framework."))
    uri = fields.String()
    lastChangeDateTime = fields.String(**described("When the framework version last changed (UTC)."))


class CFDocumentSchema(CaseNodeSchema):
    creator = fields.String()
    title = fields.String()
    description = fields.String()
    notes = fields.String(**described("The framework's about text."))
    version = fields.String()
    extensions = fields.Dict(**described(
        "`pdplanner`: the slug, target level, not-yet-observed label and scale levels."))


class CFItemSchema(CaseNodeSchema):
    CFItemType = fields.String(**described("`Domain`, `Competency` or `Indicator`."))
    CFItemTypeURI = fields.Nested(CaseLinkSchema)
    humanCodingScheme = fields.String(**described("The domain's or competency's code."))
    abbreviatedStatement = fields.String(**described("The domain's or competency's name."))
    fullStatement = fields.String(**described("The statement, description or indicator text."))
    alternativeLabel = fields.String(**described("A domain's need, a competency's summary."))
    extensions = fields.Dict(**described("`pdplanner`: a competency's source and foundational flag."))


class CFAssociationSchema(CaseNodeSchema):
    associationType = fields.String(**described("Always `isChildOf`."))
    sequenceNumber = fields.Integer()
    originNodeURI = fields.Nested(CaseLinkSchema)
    destinationNodeURI = fields.Nested(CaseLinkSchema)


class CFItemTypeSchema(CaseNodeSchema):
    title = fields.String()
    description = fields.String()
    hierarchyCode = fields.String()
    typeCode = fields.String()


class CFDefinitionsSchema(ma.Schema):
    CFItemTypes = fields.List(fields.Nested(CFItemTypeSchema))


class CFRubricCriterionLevelSchema(CaseNodeSchema):
    quality = fields.String(**described("The scale level's label."))
    score = fields.Integer(**described("The scale level's value."))
    description = fields.String(**described("The competency's descriptor at this level."))
    position = fields.Integer()
    rubricCriterionId = fields.String()


class CFRubricCriterionSchema(CaseNodeSchema):
    category = fields.String(**described("The competency's name."))
    CFItemURI = fields.Nested(CaseLinkSchema, **described("The competency."))
    position = fields.Integer()
    rubricId = fields.String()
    CFRubricCriterionLevels = fields.List(fields.Nested(CFRubricCriterionLevelSchema))


class CFRubricSchema(CaseNodeSchema):
    title = fields.String()
    description = fields.String()
    CFRubricCriteria = fields.List(fields.Nested(CFRubricCriterionSchema),
                                   **described("One criterion per competency."))


class CFPackageSchema(ma.Schema):
    """The framework as a CASE 1.1 CFPackage (`?format=case`)."""

    CFDocument = fields.Nested(CFDocumentSchema)
    CFItems = fields.List(fields.Nested(CFItemSchema))
    CFAssociations = fields.List(fields.Nested(CFAssociationSchema))
    CFDefinitions = fields.Nested(CFDefinitionsSchema)
    CFRubrics = fields.List(fields.Nested(CFRubricSchema))


class FrameworkUploadSchema(ma.Schema):
    file = Upload(required=True, **described(
        "A CASE package (JSON, 1.0 or 1.1) or a pdplanner framework (YAML or JSON)."))


class FrameworkImportSchema(ma.Schema):
    framework = fields.Nested(FrameworkSummarySchema)
    status = fields.String(**described(
        "created; new version (changed content under a slug already here: stored versions are "
        "never edited); or unchanged (exactly this content is already here)."))
    read_as = fields.String(**described("case or native"))


# -- frameworks -----------------------------------------------------------------------------

@routes.route("/frameworks", tags=["Frameworks"])
@signed_in
@routes.arguments(PageArgs, location="query")
@routes.response(200, page_of(FrameworkSummarySchema, "FrameworkPage"))
@routes.answers(401)
def frameworks(args):
    """The frameworks the caller's district can use: shared ones and its own."""
    return page_of_list(visible_frameworks(caller().district_id), args)


@routes.route("/frameworks/<int:framework_id>", tags=["Frameworks"])
@signed_in
@routes.arguments(FrameworkFormatArgs, location="query")
@routes.response(200, FrameworkSchema)
@routes.doc(responses={"200": {
    "description": "`Framework` for format=native, `CFPackage` for format=case.",
    "content": {"application/json": {
        "schema": {"oneOf": [FrameworkSchema, CFPackageSchema]}}},
}})
@routes.answers(400, 401, 404)
def framework(args, framework_id: int):
    """One framework: scale, domains, competencies, descriptors, natively or as a CASE package."""
    framework = framework_for_browsing(caller().district_id, framework_id)
    if args["format"] == "case":
        # A Response goes out as it is, past the native schema of @routes.response.
        return jsonify(CFPackageSchema().dump(case_package(framework)))
    return {"id": framework.id, **framework_to_native(framework)}


@routes.route("/frameworks", methods=["POST"], tags=["Frameworks"])
@admin_only
@routes.arguments(FrameworkUploadSchema, location="files")
@routes.response(201, FrameworkImportSchema)
@routes.alt_response(200, schema=FrameworkImportSchema, description="Exactly this content is already here.")
@routes.answers(401, 404)
def import_framework(files):
    """Import a framework file as the caller's district's own framework (201), or find it
    already here (200)."""
    upload = files["file"]
    with one_transaction():
        kind, outcome = import_framework_file(upload.filename or "", upload_content(upload),
                                              district_id=caller().district_id, actor=caller())
    answer = {"framework": outcome.framework, "status": outcome.status, "read_as": kind}
    return answer, 200 if outcome.status == "unchanged" else 201
