"""Marshmallow schemas of the API: each one validates a request or serializes a response, and
flask-smorest turns the same schema into the OpenAPI document, so the two cannot drift apart."""

import marshmallow as ma
from marshmallow import fields, validate

from pdplanner.accounts.models import Role
from pdplanner.assessments.models import AssessmentStatus, Confidence, CycleStatus
from pdplanner.assessments.services import NOTE_MAX, URL_MAX
from pdplanner.database import ID_MAX

MAX_PER_PAGE = 200


def described(text: str, **extra) -> dict:
    return {"metadata": {"description": text, **extra}}


# -- errors ---------------------------------------------------------------------------------

class ProblemSchema(ma.Schema):
    """An error, as RFC 9457 problem details (`application/problem+json`)."""

    type = fields.String(**described("Always `about:blank`: `title` says what kind of error it is."))
    title = fields.String(**described("The HTTP status phrase, e.g. `Not Found`."))
    status = fields.Integer(**described("The HTTP status code."))
    detail = fields.String(**described("What went wrong, in a sentence meant for people."))
    errors = fields.Dict(
        keys=fields.String(), values=fields.String(),
        **described("For invalid requests: what is wrong, by field path (`ratings[0].level`)."),
    )


# -- requests ------------------------------------------------------------------------------

def row_id(text: str, *, strict: bool = False, **options) -> fields.Integer:
    """An id sent in a query (a string of digits) or, `strict`, a JSON body (a number): bounded
    like the id columns, so that a larger number is a clear 422 rather than a database error."""
    return fields.Integer(strict=strict, validate=validate.Range(min=1, max=ID_MAX), **options,
                          **described(text))



class PageArgs(ma.Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=ID_MAX // MAX_PER_PAGE),
                          **described("Page number, from 1."))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PER_PAGE),
                              **described(f"Items per page, at most {MAX_PER_PAGE}."))


class CycleArgs(ma.Schema):
    cycle = row_id("The id of a cycle of the caller's district.", required=True)


class FrameworkFormatArgs(ma.Schema):
    format = fields.String(
        load_default="native",
        validate=validate.OneOf(["native", "case"], error="Must be native or case."),
        **described("The representation: `native` (the pdplanner format, answered as `Framework`) or "
                    "`case` (a CASE 1.1 CFPackage, answered as `CFPackage`; docs/CASE.md has the "
                    "mapping).", enum=["native", "case"]),
    )


class RatingInputSchema(ma.Schema):
    competency = fields.String(required=True, **described("A competency code, e.g. `COG.1`.",
                                                          example="COG.1"))
    level = fields.Integer(strict=True, allow_none=True, load_default=None,
                           **described("A level of the framework's scale; null for no level.", example=2))
    not_observed = fields.Boolean(load_default=False,
                                  **described("'Not yet observed' instead of a level."))
    confidence = fields.String(allow_none=True, load_default=None,
                               validate=validate.OneOf([c.value for c in Confidence]))
    interest = fields.Boolean(load_default=False, **described("'I want to grow here'."))
    note = fields.String(load_default="", validate=validate.Length(max=NOTE_MAX))
    evidence_url = fields.String(load_default="", validate=validate.Length(max=URL_MAX),
                                 **described("An http(s) link to evidence, or empty."))


class RatingsInputSchema(ma.Schema):
    ratings = fields.List(
        fields.Nested(RatingInputSchema), required=True, validate=validate.Length(min=1),
        **described("Some or all competencies. Each item replaces that competency's rating; "
                    "competencies not listed keep theirs."),
    )


# -- responses ------------------------------------------------------------------------------

def page_of(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """A page envelope: the items plus where they sit in the whole list."""
    return ma.Schema.from_dict({
        "items": fields.List(fields.Nested(item_schema)),
        "page": fields.Integer(),
        "per_page": fields.Integer(),
        "total": fields.Integer(**described("Items in the whole list.")),
        "pages": fields.Integer(**described("Pages in the whole list.")),
    }, name=name)


class SchoolRoleSchema(ma.Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    role = fields.Enum(Role, by_value=True)


class MeSchema(ma.Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    role = fields.Enum(Role, by_value=True, allow_none=True,
                       **described("The widest role held."))
    schools = fields.List(fields.Nested(SchoolRoleSchema),
                          **described("The caller's schools and their role in each."))


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


# -- CASE (1EdTech Competencies and Academic Standards Exchange) ------------------------------
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


class CycleSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    status = fields.Enum(CycleStatus, by_value=True)
    opens_on = fields.Date()
    closes_on = fields.Date()
    framework_id = fields.Integer()


class EducatorSchema(ma.Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    role = fields.Enum(Role, by_value=True, **described("The widest educator role held."))
    school = fields.String(allow_none=True, **described("The code of the school of that role."))
    coach = fields.String(allow_none=True, **described("The email of the (first) coach."))
    coaches = fields.List(fields.String(), **described("The emails of all their coaches."))


class RatingRecordSchema(ma.Schema):
    level = fields.Integer(allow_none=True)
    not_observed = fields.Boolean()
    confidence = fields.Enum(Confidence, by_value=True, allow_none=True)
    interest = fields.Boolean()
    note = fields.String()
    evidence_url = fields.String()
    updated_at = fields.AwareDateTime()


class CoachRatingRecordSchema(RatingRecordSchema):
    rater = fields.String(attribute="rater.email", **described("The rater's email."))


class CompetencyRatingsSchema(ma.Schema):
    competency = fields.String()
    self_rating = fields.Nested(RatingRecordSchema, allow_none=True, data_key="self",
                                **described("The educator's self-rating, or null."))
    coach_rating = fields.Nested(CoachRatingRecordSchema, allow_none=True, data_key="coach",
                                 **described("The most recently saved coach rating, or null."))


class EducatorRatingsSchema(ma.Schema):
    cycle = fields.Integer()
    educator = fields.Integer()
    ratings = fields.List(fields.Nested(CompetencyRatingsSchema),
                          **described("Every competency of the cycle's framework, in order."))


class SavedRatingSchema(CoachRatingRecordSchema):
    competency = fields.String(attribute="competency.code")


class SavedRatingsSchema(ma.Schema):
    cycle = fields.Integer()
    educator = fields.Integer()
    kind = fields.String(validate=validate.OneOf(["self", "coach"]))
    ratings = fields.List(fields.Nested(SavedRatingSchema),
                          **described("The ratings this request saved."))


class SubmissionSchema(ma.Schema):
    cycle = fields.Integer()
    educator = fields.Integer()
    status = fields.Enum(AssessmentStatus, by_value=True)
    submitted_at = fields.AwareDateTime(allow_none=True)


# -- plans ---------------------------------------------------------------------------------

class PlanArgs(ma.Schema):
    cycle = row_id("The id of a cycle of the caller's district; by default the open cycle, else the "
                   "newest planned.", load_default=None)


class ActivitySchema(ma.Schema):
    id = fields.Integer()
    resource = fields.Integer(attribute="resource_id", allow_none=True, **described(
        "The catalogue activity's id. This, its title, kind and hours are null for a caller who may "
        "not see the educator's levels: the catalogue says which levels each activity suits."))
    title = fields.String(allow_none=True)
    kind = fields.String(allow_none=True)
    hours = fields.Float(allow_none=True)
    competency = fields.String(attribute="competency_code")
    status = fields.String(validate=validate.OneOf(["planned", "in_progress", "done", "verified"]))
    source = fields.String(**described("`suggested` by the planner or assigned by a `coach`."))
    why = fields.String(**described("Why it is on the path; without levels for a caller who may not "
                                    "see them (docs/PRIVACY.md)."))
    reflection = fields.String(allow_none=True, **described("Null unless the caller may see ratings."))
    evidence_url = fields.String(allow_none=True, **described("Null unless the caller may see ratings."))


class GoalSchema(ma.Schema):
    competency = fields.String()
    from_level = fields.Integer(allow_none=True, **described(
        "Null when not yet observed, or when the caller may not see the educator's ratings."))
    to_level = fields.Integer(allow_none=True)
    why = fields.String(allow_none=True)
    status = fields.String(validate=validate.OneOf(["active", "verified"]))
    activities = fields.List(fields.Nested(ActivitySchema))


class LaneSchema(ma.Schema):
    name = fields.String(validate=validate.OneOf(["fast", "slow"]))
    label = fields.String(**described("The district's growth-framed name of the lane."))
    why = fields.String(**described("The numbers behind the lane, or the reason of an override; without "
                                    "numbers for a caller who may not see the levels (docs/PRIVACY.md)."))
    overridden = fields.Boolean()


class PersonSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    email = fields.String()


class PlanCohortSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    status = fields.String(validate=validate.OneOf(["proposed", "confirmed"]))
    coach = fields.Nested(PersonSchema, allow_none=True)
    members = fields.List(fields.Nested(PersonSchema))


class PlanSchema(ma.Schema):
    cycle = fields.Integer()
    educator = fields.Integer()
    ratings_visible = fields.Boolean(**described(
        "False for a principal or admin the educator has not shared this cycle's ratings with: "
        "levels, whys of goals, reflections and evidence are then null."))
    goals = fields.List(fields.Nested(GoalSchema), **described("In priority order."))
    other_activities = fields.List(fields.Nested(ActivitySchema), **described(
        "Activities on competencies that are not one of the goals."))
    lane = fields.Nested(LaneSchema, allow_none=True, **described("Null until the cycle is planned."))
    cohort = fields.Nested(PlanCohortSchema, allow_none=True, **described("Null: individual coaching."))
    individual_reason = fields.String(allow_none=True)


# -- school readiness ----------------------------------------------------------------------

class MeasureSchema(ma.Schema):
    people = fields.Integer(**described("How many people the figure is over."))
    mean = fields.Float(allow_none=True, **described(
        "The published mean, one decimal (a share 0-1 for readiness and at_target); null when suppressed "
        "or nobody is rated. Only submitted self-assessments count, and it changes only once "
        "privacy_min_group people who do not share their ratings have changed (docs/PRIVACY.md)."))
    suppressed = fields.Boolean(**described(
        "True when withheld: fewer than privacy_min_group people who do not share their ratings are in it, "
        "showing it would give away a withheld figure beside it, or the caller reads counts only (a coach)."))


class SchoolRefSchema(ma.Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()


class ParticipationSchema(ma.Schema):
    educators = fields.Integer()
    started = fields.Integer()
    submitted = fields.Integer()
    coach_rated = fields.Integer()
    shared = fields.Integer()


class LaneCountSchema(ma.Schema):
    name = fields.String(validate=validate.OneOf(["fast", "slow"]))
    label = fields.String()
    count = fields.Integer()


class DomainMeasureSchema(MeasureSchema):
    domain = fields.String()
    name = fields.String()


class CompetencyMeasureSchema(ma.Schema):
    competency = fields.String()
    self = fields.Nested(MeasureSchema)
    coach = fields.Nested(MeasureSchema)
    current = fields.Nested(MeasureSchema)
    at_target = fields.Nested(MeasureSchema)
    goals = fields.Integer(**described("Goals set on this competency in the cycle."))


class ProgressCountSchema(ma.Schema):
    total = fields.Integer()
    met = fields.Integer()


class ActivityCountSchema(ma.Schema):
    total = fields.Integer()
    done = fields.Integer()
    verified = fields.Integer()


class CohortActivityCountSchema(ma.Schema):
    total = fields.Integer()
    done = fields.Integer()


class CohortReadinessSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    lane = fields.String(validate=validate.OneOf(["fast", "slow"]))
    status = fields.String(validate=validate.OneOf(["proposed", "confirmed"]))
    coach = fields.Nested(PersonSchema, allow_none=True)
    members = fields.Integer(**described("Members from this school."))
    readiness = fields.Nested(MeasureSchema)
    goals = fields.Nested(ProgressCountSchema)
    activities = fields.Nested(CohortActivityCountSchema)


class ReadinessSchema(ma.Schema):
    school = fields.Nested(SchoolRefSchema)
    cycle = fields.Integer()
    privacy_min_group = fields.Integer()
    participation = fields.Nested(ParticipationSchema)
    lanes = fields.List(fields.Nested(LaneCountSchema))
    not_planned = fields.Integer()
    readiness = fields.Nested(MeasureSchema, **described("Mean share of rated competencies at target."))
    domains = fields.List(fields.Nested(DomainMeasureSchema))
    competencies = fields.List(fields.Nested(CompetencyMeasureSchema))
    strengths = fields.List(fields.String(), **described(
        "Up to three competency codes with the highest share at target."))
    opportunities = fields.List(fields.String(), **described(
        "Up to three competency codes with the lowest share at target, strengths excluded."))
    goals = fields.Nested(ProgressCountSchema)
    activities = fields.Nested(ActivityCountSchema)
    cohorts = fields.List(fields.Nested(CohortReadinessSchema))
