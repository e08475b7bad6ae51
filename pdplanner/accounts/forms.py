from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from pdplanner.accounts.passwords import MAX_LENGTH


class SignInForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_LENGTH)],
                             render_kw={"autocomplete": "current-password"})
    submit = SubmitField("Sign in")


class PasswordResetForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "username"})
    submit = SubmitField("Send me a link")


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password", validators=[DataRequired()],
        description="At least 8 characters. A few unrelated words make a strong passphrase.",
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField("Set password")


class ChangePasswordForm(SetPasswordForm):
    current = PasswordField("Current password", validators=[DataRequired()],
                            render_kw={"autocomplete": "current-password"})
    submit = SubmitField("Change password")


class TokenForm(FlaskForm):
    name = StringField(
        "Token name", validators=[DataRequired(), Length(max=100)],
        description="What the token is for, so you can tell your tokens apart, e.g. 'Gradebook sync'.",
    )
