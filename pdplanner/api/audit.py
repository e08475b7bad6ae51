"""/api/v1: the district's audit log (district admins), as on the Audit page."""

import marshmallow as ma
from marshmallow import fields, validate

from pdplanner.accounts.models import Role
from pdplanner.api.plumbing import PageArgs, Routes, caller, described, envelope, page_of, row_id
from pdplanner.audit.labels import KINDS
from pdplanner.audit.queries import AuditFilter, district_events, event_rows
from pdplanner.extensions import db
from pdplanner.permissions import role_required

admin_only = role_required(Role.DISTRICT_ADMIN)
routes = Routes()


# -- schemas --------------------------------------------------------------------------------

class AuditArgs(PageArgs):
    person = row_id("Only events this person caused, or about them or their plan.")
    kind = fields.String(validate=validate.OneOf(sorted(KINDS)),
                         **described("Only events of this kind, e.g. `path_activity.verified`."))
    since = fields.Date(**described("Only events from this day (UTC), YYYY-MM-DD."))
    until = fields.Date(**described("Only events up to this day (UTC), included."))

    @ma.validates_schema
    def validate_range(self, data, **_kwargs):
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            raise ma.ValidationError("The end day is before the start day.", "until")


class AuditEventSchema(ma.Schema):
    id = fields.Integer(attribute="event.id")
    occurred_at = fields.AwareDateTime(attribute="event.occurred_at")
    action = fields.String(attribute="event.action")
    kind_title = fields.String(**described("The kind of event in words, e.g. `Evidence verified`."))
    description = fields.String(attribute="sentence",
                                **described("The event in words, naming who did what to whom."))
    actor = fields.Function(lambda row: row.event.known_actor.email if row.event.known_actor else None,
                            allow_none=True,
                            **described("The actor's email; null for the system or a deleted account."))
    actor_id = fields.Integer(attribute="event.actor_id", allow_none=True)
    subject_type = fields.String(attribute="event.subject_type", allow_none=True)
    subject_id = fields.Integer(attribute="event.subject_id", allow_none=True)
    details = fields.Dict(attribute="event.details")
    remote_addr = fields.String(attribute="event.remote_addr", allow_none=True)


# -- the audit log --------------------------------------------------------------------------

@routes.route("/audit", tags=["Audit"])
@admin_only
@routes.arguments(AuditArgs, location="query")
@routes.response(200, page_of(AuditEventSchema, "AuditEventPage"))
@routes.answers(401, 404)
def audit_log(args):
    """The district's audit log, newest first (district admins): who saw or changed what, and when,
    each event also in words; filtered by person, kind and days."""
    district_id = caller().district_id
    only = AuditFilter(person_id=args.get("person"), kind=args.get("kind"), since=args.get("since"),
                       until=args.get("until"))
    page = db.paginate(district_events(district_id, only), page=args["page"], per_page=args["per_page"],
                       error_out=False)
    return envelope(event_rows(list(page.items), district_id), page.total, args)
