from flask import current_app
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import ValidationError


class ImportForm(FlaskForm):
    file = FileField(
        "Framework file",
        description="A CASE package (JSON, version 1.0 or 1.1) or a pdplanner framework (YAML or JSON), "
                    "at most 2 MB.",
        validators=[FileRequired("Choose a file to import.")],
    )

    def validate_file(self, field):
        limit = current_app.config["FRAMEWORK_UPLOAD_MAX_BYTES"]
        self.content = field.data.stream.read(limit + 1)
        if len(self.content) > limit:
            raise ValidationError(f"The file is larger than {limit // (1024 * 1024)} MB.")
