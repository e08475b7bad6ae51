from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, IntegerField, SelectField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from pdplanner.audit.labels import KINDS, kind_title
from pdplanner.audit.queries import AuditFilter, person_in_district

MAX_PAGE = 1_000_000


class AuditFilterForm(FlaskForm):
    """The audit page's filters, read from the query string (a GET form: the filtered page can be
    bookmarked, and its export links carry the same filters). The person is named by email and
    must be in `district_id`."""

    class Meta:
        csrf = False

    person = EmailField("Person (email)", validators=[Optional(), Length(max=254)],
                        description="Events this person caused, and events about them.")
    kind = SelectField("Kind of event", validators=[Optional()])
    since = DateField("From (UTC)", validators=[Optional()], description="A day, e.g. 2026-09-01.")
    until = DateField("To (UTC)", validators=[Optional()], description="A day, included.")
    page = IntegerField("Page", validators=[Optional(), NumberRange(min=1, max=MAX_PAGE)], default=1)

    def __init__(self, *, district_id: int, **kwargs):
        super().__init__(**kwargs)
        self.district_id = district_id
        self.person_found = None
        self.kind.choices = [("", "Any kind")] + [(k, kind_title(k)) for k in sorted(KINDS, key=kind_title)]

    def validate_person(self, field):
        if field.data:
            self.person_found = person_in_district(self.district_id, field.data)
            if self.person_found is None:
                raise ValidationError(f"No one in your district has the email {field.data.strip()}.")

    def validate_until(self, field):
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("The end day is before the start day.")

    def audit_filter(self) -> AuditFilter:
        """The filter of a validated form."""
        return AuditFilter(person_id=self.person_found.id if self.person_found else None,
                           kind=self.kind.data or None, since=self.since.data, until=self.until.data)
