from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from pdplanner.core.types import CURRENT_LEVEL_POLICIES
from pdplanner.planning.models import ResourceKind

POLICY_LABELS = {
    "self": "The self-rating",
    "coach": "The coach's rating",
    "mean": "The mean of self and coach (either one when only one exists)",
    "min": "The lower of self and coach",
}


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SettingsForm(FlaskForm):
    current_level_policy = SelectField(
        "Current level of a competency", choices=[(p, POLICY_LABELS[p]) for p in CURRENT_LEVEL_POLICIES])
    goals_per_educator = IntegerField("Goals per educator", validators=[InputRequired()])
    goals_per_domain = IntegerField("At most this many goals in one domain", validators=[InputRequired()])
    interest_bonus = DecimalField("Priority bonus when the educator wants to grow there", places=2,
                                  validators=[InputRequired()])
    foundational_bonus = DecimalField("Priority bonus for foundational competencies", places=2,
                                      validators=[InputRequired()])
    fast_lane_readiness = DecimalField(
        "Share of rated competencies at target for the first lane", places=2, validators=[InputRequired()],
        description="0.6 means 60%.")
    fast_lane_min_domain_mean = DecimalField(
        "Lowest domain average allowed in the first lane", places=2, validators=[InputRequired()])
    fast_lane_label = StringField("Name of the first lane (ready to move)",
                                  validators=[DataRequired(), Length(max=60)])
    slow_lane_label = StringField("Name of the second lane (building readiness)",
                                  validators=[DataRequired(), Length(max=60)],
                                  description="Teachers see this name; keep it growth-framed.")
    cohort_min_size = IntegerField("Smallest cohort", validators=[InputRequired()])
    cohort_max_size = IntegerField("Largest cohort", validators=[InputRequired()])
    coach_caseload_limit = IntegerField("Most cohort members one coach leads", validators=[InputRequired()])
    submit = SubmitField("Save settings")

    def values(self) -> dict:
        return {name: (float(field.data) if isinstance(field, DecimalField) else field.data)
                for name, field in self._fields.items() if name not in ("submit", "csrf_token")}


class ResourceForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    kind = SelectField("Kind", choices=[(k.value, k.label) for k in ResourceKind])
    competencies = CheckboxesField("Competencies it builds", validators=[DataRequired()])
    level_min = SelectField("From level", choices=[(str(n), str(n)) for n in range(1, 5)])
    level_max = SelectField("To level", choices=[(str(n), str(n)) for n in range(1, 5)], default="4")
    hours = DecimalField("Hours", places=1, validators=[InputRequired()])
    lanes = CheckboxesField("Fits", choices=[], validators=[DataRequired()])
    description = TextAreaField("What the educator does", validators=[DataRequired(), Length(max=2000)])
    evidence = TextAreaField("Evidence of mastery", validators=[Length(max=1000)])
    active = BooleanField("Offer it in plans", default=True)
    submit = SubmitField("Save activity")

    def __init__(self, *, competencies, lane_labels, **kwargs):
        super().__init__(**kwargs)
        self.competencies.choices = [(c.code, f"{c.code} {c.name}") for c in competencies]
        self.lanes.choices = list(lane_labels.items())


class ProgressForm(FlaskForm):
    """An educator's progress on one activity; prefixed by the activity so a page holds many."""

    status = SelectField("Status", choices=[("planned", "Not started"), ("in_progress", "In progress"),
                                            ("done", "Done: ready for my coach to verify")])
    reflection = TextAreaField("Reflection", validators=[Length(max=5000)],
                               description="What you tried, what you noticed, what you would change.")
    evidence_url = StringField("Link to evidence", validators=[Length(max=500)],
                               description="A web address, e.g. a shared document or video.")
    evidence_file = FileField("Or attach a file", description="PDF, image, Word, PowerPoint, Excel or text, "
                                                               "up to 10 MB.")
    submit = SubmitField("Save progress")


class AssignForm(FlaskForm):
    """One activity on one competency: the value is "resource id|competency code"."""

    choice = SelectField("Activity", validators=[DataRequired()])
    submit = SubmitField("Assign")

    def __init__(self, options, **kwargs):
        super().__init__(**kwargs)
        self.choice.choices = options


class VerifyForm(FlaskForm):
    goal_met = BooleanField("The goal is met: record the new level")
    submit = SubmitField("Verify")


class ReturnForm(FlaskForm):
    note = TextAreaField("What is missing", validators=[DataRequired(), Length(max=5000)])
    submit = SubmitField("Send back")


class LaneForm(FlaskForm):
    lane = SelectField("Lane")
    reason = TextAreaField("Reason", validators=[Length(max=1000)],
                           description="Required when you set a lane; the educator sees it.")
    submit = SubmitField("Save lane")

    def __init__(self, labels: dict[str, str], **kwargs):
        super().__init__(**kwargs)
        self.lane.choices = [("", "As the numbers say (no override)")] + list(labels.items())

