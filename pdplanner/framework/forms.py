from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import ValidationError

from pdplanner.framework.exchange import upload_content
from pdplanner.framework.services import FrameworkFormatError


class ImportForm(FlaskForm):
    file = FileField(
        "Framework file",
        description="A CASE package (JSON, version 1.0 or 1.1) or a pdplanner framework (YAML or JSON), "
                    "at most 2 MB.",
        validators=[FileRequired("Choose a file to import.")],
    )

    def validate_file(self, field):
        try:
            self.content = upload_content(field.data)
        except FrameworkFormatError as exc:
            raise ValidationError(str(exc)) from None
