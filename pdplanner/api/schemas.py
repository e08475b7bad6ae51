"""The schemas several domains' resources share: a person and a school as other records name
them, and the cycle a plan or a school's figures are asked for. Each domain module has its own."""

import marshmallow as ma
from marshmallow import fields

from pdplanner.api.plumbing import row_id


class PersonSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    email = fields.String()


class SchoolRefSchema(ma.Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()


class PlanArgs(ma.Schema):
    cycle = row_id("The id of a cycle of the caller's district; by default the open cycle, else the "
                   "newest planned.", load_default=None)
