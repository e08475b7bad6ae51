"""/api/v1: the caller (/me): who they are, their widest role, their schools. Personal access
tokens are made and revoked on the account page (accounts.views); how a call is authenticated
is the API's plumbing (api.auth)."""

import marshmallow as ma
from marshmallow import fields

from pdplanner.accounts.models import Role
from pdplanner.api.plumbing import Routes, caller, described
from pdplanner.permissions import signed_in

routes = Routes()


# -- schemas --------------------------------------------------------------------------------

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


# -- the caller -----------------------------------------------------------------------------

@routes.route("/me", tags=["Caller"])
@signed_in
@routes.response(200, MeSchema)
@routes.answers(401)
def me():
    """The caller: who they are, their widest role, and their schools."""
    user = caller()
    memberships = sorted(user.memberships, key=lambda m: m.school.name)
    return {"id": user.id, "email": user.email, "name": user.name, "role": user.role,
            "schools": [{"id": m.school.id, "code": m.school.code, "name": m.school.name,
                         "role": m.role} for m in memberships]}
