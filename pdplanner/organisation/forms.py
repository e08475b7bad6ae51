from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError

from pdplanner.accounts.models import ROLE_LABELS, SCHOOL_ROLES, Role
from pdplanner.database import ID_MAX
from pdplanner.organisation.queries import BULK_ACTIONS, MAX_BULK


def school_choices(schools) -> list[tuple[str, str]]:
    return [(str(s.id), f"{s.name} ({s.code})") for s in schools]


class PersonForm(FlaskForm):
    """A new person: the schools and coaches offered come from the admin's district."""

    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    given_name = StringField("Given name", validators=[DataRequired(), Length(max=100)])
    family_name = StringField("Family name", validators=[DataRequired(), Length(max=100)])
    role = SelectField("Role", choices=[(r.value, lbl) for r, lbl in ROLE_LABELS.items()])
    school = SelectField("School", validators=[Optional()],
                         description="Every role but district admin needs one.")
    coach = SelectField("Coach", validators=[Optional()], description="Optional, for teachers and coaches.")
    submit = SubmitField("Add person")

    def __init__(self, *, schools, coaches, **kwargs):
        super().__init__(**kwargs)
        self.school.choices = [("", "No school")] + school_choices(schools)
        self.coach.choices = [("", "No coach")] + [(str(c.id), f"{c.name} ({c.email})") for c in coaches]

    def validate_school(self, field):
        if self.role.data != Role.DISTRICT_ADMIN.value and not field.data:
            raise ValidationError(f"A {ROLE_LABELS[Role(self.role.data)].lower()} needs a school.")


class PersonDetailsForm(FlaskForm):
    """A person's name and email (their sign-in), as the admin corrects them."""

    given_name = StringField("Given name",
                             validators=[DataRequired("Give their given name."), Length(max=100)])
    family_name = StringField("Family name", validators=[Length(max=100)])
    email = EmailField("Email", validators=[DataRequired("Give their email."),
                                            Email("That is not an email address."), Length(max=254)],
                       description="They sign in with it.")
    submit = SubmitField("Save")


class BulkForm(FlaskForm):
    """A change to the people selected on the People page. Read from the query string for the
    preview (a read: no CSRF token) and from the posted form to apply it."""

    person = SelectMultipleField("People", coerce=int, validate_choice=False)
    # Ids apart from the names: the People page's filter has a `school` field of its own.
    action = RadioField("Change", choices=list(BULK_ACTIONS.items()), id="bulk-action",
                        validators=[DataRequired("Choose what to change.")])
    coach = SelectField("Coach", default="", id="bulk-coach",
                        description="For “Set their coach”: it replaces the coaches they have.")
    school = SelectField("School", default="", id="bulk-school",
                         description="For “Move them to a school”: their role there stays the same.")
    submit = SubmitField("Apply to everyone listed")

    def __init__(self, *, schools, coaches, **kwargs):
        super().__init__(**kwargs)
        self.school.choices = [("", "Choose a school")] + school_choices(schools)
        self.coach.choices = [("", "Choose a coach")] + [(str(c.id), f"{c.name} ({c.email})")
                                                         for c in coaches]

    def validate_person(self, field):
        if not field.data:
            raise ValidationError("Select at least one person.")
        if len(field.data) > MAX_BULK:
            raise ValidationError(f"Select at most {MAX_BULK} people at a time.")
        unknown = [person for person in field.data if not 1 <= person <= ID_MAX]
        if unknown:
            raise ValidationError(f"{unknown[0]} is not a person's id.")

    def validate_coach(self, field):
        if self.action.data == "set_coach" and not field.data:
            raise ValidationError("Choose the coach they should have.")

    def validate_school(self, field):
        if self.action.data == "set_school" and not field.data:
            raise ValidationError("Choose the school to move them to.")


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=[(r.value, r.label) for r in SCHOOL_ROLES])
    school = SelectField("School", validators=[DataRequired()])
    submit = SubmitField("Give role")

    def __init__(self, *, schools, **kwargs):
        super().__init__(**kwargs)
        self.school.choices = school_choices(schools)


class CoachForm(FlaskForm):
    coach = SelectField("Coach", validators=[DataRequired()])
    submit = SubmitField("Add coach")

    def __init__(self, *, coaches, **kwargs):
        super().__init__(**kwargs)
        self.coach.choices = [(str(c.id), f"{c.name} ({c.email})") for c in coaches]


class SchoolForm(FlaskForm):
    code = StringField("Code", validators=[
        DataRequired(), Length(max=40),
        Regexp(r"^[A-Za-z0-9_-]+$", message="Use letters, digits, - and _ only."),
    ])
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    submit = SubmitField("Add school")


class ConfirmForm(FlaskForm):
    """A bare CSRF-protected form for one-button actions."""

    submit = SubmitField("Confirm")


class DeletePersonForm(FlaskForm):
    """Deleting a person cannot be undone: the admin types the person's email to confirm."""

    email = StringField("Type their email to confirm", validators=[DataRequired(), Length(max=254)])
    submit = SubmitField("Delete")

    def __init__(self, *, person, **kwargs):
        super().__init__(**kwargs)
        self.person = person
        self.email.description = f"Type {person.email} exactly."

    def validate_email(self, field):
        if field.data.strip().lower() != self.person.email:
            raise ValidationError(f"That is not {self.person.email}. Nothing was deleted.")


class RosterUploadForm(FlaskForm):
    file = FileField("Roster file", validators=[FileRequired("Choose a .csv or .zip file.")], description=(
        "A CSV with the columns email, given name, family name, role, school code and coach email; "
        "or a OneRoster 1.1 or 1.2 bundle as a .zip. At most 10 MB."))
    partial = BooleanField("This CSV lists only some people: deactivate nobody",
                           description="Leave it unticked when the CSV is the whole district: people "
                                       "missing from it are then deactivated (never deleted). OneRoster "
                                       "bundles say this in their manifest.")
    submit = SubmitField("Preview")


class RosterApplyForm(FlaskForm):
    """Names the stored upload and what its preview counted, so Apply imports what was shown."""

    upload = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{32}$")])
    filename = HiddenField(validators=[DataRequired(), Length(max=200)])
    digest = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{64}$")])
    partial = HiddenField()
    expected = HiddenField(validators=[DataRequired(), Length(max=500)])
    # Asked only when the roster deactivates most of the district (RosterPreview.deactivates_most).
    typed = StringField("Type the words shown to confirm", validators=[Optional(), Length(max=100)])
    submit = SubmitField("Apply")
