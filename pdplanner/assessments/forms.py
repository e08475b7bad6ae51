"""Rating forms, built per page from the framework by a factory, and cycle forms."""

from contextlib import contextmanager
from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields import URLField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from pdplanner.assessments.models import Confidence
from pdplanner.assessments.services import NOTE_MAX, URL_MAX, AssessmentError, RatingInput

NOT_OBSERVED = "none"
CONFIDENCE_LABELS = {Confidence.LOW: "Low", Confidence.MEDIUM: "Medium", Confidence.HIGH: "High"}


def field_key(code: str) -> str:
    return code.replace(".", "_")


def rating_form_class(competencies, framework, *, self_rating: bool):
    """A form with level, confidence, note and evidence for each competency (and, for a
    self-rating, "I want to grow here" and a file upload). Choices are validated by the service,
    which names the competency in its message."""
    level_choices = [(str(lv.value), lv.label) for lv in framework.levels]
    level_choices.append((NOT_OBSERVED, framework.not_observed_label))

    class RatingForm(FlaskForm):
        pass

    for competency in competencies:
        key = field_key(competency.code)
        setattr(RatingForm, f"{key}__level",
                RadioField(competency.name, choices=level_choices, validate_choice=False,
                           validators=[Optional()]))
        setattr(RatingForm, f"{key}__confidence",
                RadioField("How confident are you in this rating?", validate_choice=False,
                           choices=[(c.value, label) for c, label in CONFIDENCE_LABELS.items()],
                           validators=[Optional()]))
        setattr(RatingForm, f"{key}__note",
                TextAreaField("Note (optional)", validators=[Optional(), Length(max=NOTE_MAX)]))
        setattr(RatingForm, f"{key}__evidence_url",
                URLField("Evidence link (optional)", validators=[Optional(), Length(max=URL_MAX)]))
        if self_rating:
            setattr(RatingForm, f"{key}__interest", BooleanField("I want to grow here"))
            setattr(RatingForm, f"{key}__evidence_file", FileField("Or attach a file (optional)"))
    return RatingForm


def form_data(ratings_by_code: dict) -> dict:
    """Initial form values from stored ratings."""
    data = {}
    for code, rating in ratings_by_code.items():
        key = field_key(code)
        data[f"{key}__level"] = NOT_OBSERVED if rating.not_observed else (
            str(rating.level) if rating.level is not None else None)
        data[f"{key}__confidence"] = rating.confidence.value if rating.confidence else None
        data[f"{key}__interest"] = rating.interest
        data[f"{key}__note"] = rating.note
        data[f"{key}__evidence_url"] = rating.evidence_url
    return data


def rating_inputs(form, competencies) -> list[RatingInput]:
    """The answered competencies of a submitted form, in page order."""
    items = []
    for competency in competencies:
        key = field_key(competency.code)
        level = form[f"{key}__level"].data
        interest = form[f"{key}__interest"].data if f"{key}__interest" in form else False
        values = (level, form[f"{key}__confidence"].data, form[f"{key}__note"].data,
                  form[f"{key}__evidence_url"].data, interest)
        if not any(values):
            continue
        items.append(RatingInput(
            competency=competency.code,
            level=None if level in (None, NOT_OBSERVED) else level,
            not_observed=level == NOT_OBSERVED,
            confidence=form[f"{key}__confidence"].data or None,
            interest=bool(interest),
            note=form[f"{key}__note"].data or "",
            evidence_url=form[f"{key}__evidence_url"].data or "",
        ))
    return items


@contextmanager
def problems_keyed_by_field(items: list[RatingInput]):
    """Re-key a service's problems (`ratings[i].level`, by position in `items`) by form field
    (`COG_1__level`), so pages and autosave can point at the control."""
    try:
        yield
    except AssessmentError as exc:
        keyed = {}
        for path, message in exc.problems.items():
            position, _, name = path.partition("].")
            index = position.removeprefix("ratings[")
            if index.isdigit() and int(index) < len(items):
                keyed[f"{field_key(items[int(index)].competency)}__{name}"] = message
            else:
                keyed[path] = message
        exc.problems = keyed
        raise


class OutcomeForm(FlaskForm):
    """The outcome of a calibration conversation on one competency. The level's choices come
    from the cycle's framework; the service checks the value and names it when it is wrong."""

    agreed_level = SelectField("Level you agreed on", validate_choice=False,
                               description="Saving a level also makes it your coach rating of this "
                                           "competency.")
    note = TextAreaField("What you agreed (optional)", validators=[Optional(), Length(max=NOTE_MAX)])
    submit = SubmitField("Save the outcome")

    def __init__(self, framework, outcome=None, **kwargs):
        if outcome is not None:
            level = outcome.agreed_level
            kwargs["data"] = {"agreed_level": "" if level is None else str(level), "note": outcome.note}
        super().__init__(**kwargs)
        self.agreed_level.choices = [("", "No level agreed")] + [
            (str(lv.value), f"{lv.value} {lv.label}") for lv in framework.levels]


class CycleForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)],
                       description='For example "2026-27 baseline".')
    opens_on = DateField("Opens on", validators=[DataRequired()], default=date.today)
    closes_on = DateField("Closes on", validators=[DataRequired()])
    framework = SelectField("Framework")
    submit = SubmitField("Create cycle")

    def __init__(self, *, frameworks, **kwargs):
        super().__init__(**kwargs)
        self.framework.choices = [(str(f.id), f"{f.title}, version {f.version}") for f in frameworks]

    def validate_closes_on(self, field):
        if self.opens_on.data and field.data and field.data < self.opens_on.data:
            raise ValidationError("The cycle must close on or after the day it opens.")


class CycleDatesForm(FlaskForm):
    """A draft or open cycle's window; the service checks it against the other cycles."""

    opens_on = DateField("Opens on", validators=[DataRequired()])
    closes_on = DateField("Closes on", validators=[DataRequired()],
                          description="On or after the day it opens; an open cycle's not before today.")
    submit = SubmitField("Save dates")

    def validate_closes_on(self, field):
        if self.opens_on.data and field.data and field.data < self.opens_on.data:
            raise ValidationError("The cycle must close on or after the day it opens.")


class RetentionForm(FlaskForm):
    months = IntegerField(
        "Keep closed cycles for (months)", validators=[Optional(), NumberRange(min=1, max=1200)],
        description="Leave empty to keep everything. 36 months is three years, counted from the day a "
                    "cycle closes.")
    submit = SubmitField("Save retention period")
