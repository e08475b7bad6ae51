from ipaddress import IPv6Address, ip_address, ip_network
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from werkzeug.exceptions import TooManyRequests
from werkzeug.wrappers import Response

from pdplanner.accounts import services
from pdplanner.accounts.devices import remember_device, trusted_device
from pdplanner.accounts.forms import (
    ChangePasswordForm,
    PasswordResetForm,
    SetPasswordForm,
    SignInForm,
    TokenForm,
)
from pdplanner.accounts.sessions import start_session
from pdplanner.errors import handle_http_error
from pdplanner.extensions import db, limiter
from pdplanner.pages import attempt
from pdplanner.permissions import get_token_or_404, public, signed_in

bp = Blueprint("accounts", __name__)


def safe_next(target: str | None) -> str | None:
    """Only same-site paths are followed after sign-in."""
    if not target or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc and target.startswith("/") else None


def _account_key() -> str:
    return "account:" + request.form.get("email", "").strip().lower()


def _address_key() -> str:
    """The client's address; for IPv6 its /64, which one subscriber usually holds whole, so an
    attacker cannot take a fresh address for every guess."""
    address = request.remote_addr or ""
    try:
        parsed = ip_address(address.partition("%")[0])
    except ValueError:
        return address
    if isinstance(parsed, IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _address_and_account_key() -> str:
    return f"{_address_key()}|{_account_key()}"


def _device_key() -> str:
    return "device:" + (trusted_device() or "")


def _from_trusted_device() -> bool:
    return trusted_device() is not None


def _from_untrusted_client() -> bool:
    return trusted_device() is None


def _sign_in_failed(_response) -> bool:
    return g.get("sign_in_failed", False)


def _limit(name: str):
    return lambda: current_app.config[name]


# Only failures count. A browser holding the person's device cookie is limited by that cookie
# alone; every other client by the address+email pair, the address and the email (its
# "untrusted clients"), so nobody elsewhere can lock the person out of their own browser.
@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_limit("LOGIN_LIMIT_PER_DEVICE"), methods=["POST"], key_func=_device_key,
               exempt_when=_from_untrusted_client, deduct_when=_sign_in_failed)
@limiter.limit(_limit("LOGIN_LIMIT_PER_ADDRESS"), methods=["POST"], key_func=_address_key,
               exempt_when=_from_trusted_device, deduct_when=_sign_in_failed)
@limiter.limit(_limit("LOGIN_LIMIT_PER_ACCOUNT"), methods=["POST"], key_func=_account_key,
               exempt_when=_from_trusted_device, deduct_when=_sign_in_failed)
@limiter.limit(_limit("LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS"), methods=["POST"],
               key_func=_address_and_account_key, exempt_when=_from_trusted_device,
               deduct_when=_sign_in_failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboards.home"))
    form = SignInForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        db.session.commit()
        if user is not None:
            session.clear()  # a fresh session on every sign-in
            login_user(user)
            start_session()
            response = redirect(safe_next(request.args.get("next")) or url_for("dashboards.home"))
            remember_device(response, user)
            return response
        g.sign_in_failed = True
        form.form_errors.append("That email and password do not match an active account.")
    return render_template("accounts/login.html", form=form)


THROTTLED = ("Too many attempts to sign in. Wait a while and try again, or use a browser you have "
             "signed in with before. To sign in with this browser now, choose “Forgot your "
             "password?”: opening the link we mail you lets this browser in again.")


@bp.errorhandler(TooManyRequests)
def too_many_attempts(error: TooManyRequests):
    """A throttled sign-in gets the sign-in page and what to do; other pages the generic answer.
    The same words whether or not the email has an account."""
    if request.endpoint != "accounts.login":
        return handle_http_error(error)
    form = SignInForm(formdata=None, email=request.form.get("email", "")[:254])
    form.form_errors.append(THROTTLED)
    return render_template("accounts/login.html", form=form), 429


@bp.post("/logout")
@signed_in
def logout():
    services.sign_out(current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out.", "info")
    return redirect(url_for("accounts.login"))


def account_page(form: TokenForm, new_token=None, new_secret: str | None = None):
    return render_template(
        "accounts/account.html", user=current_user, tokens=services.tokens_of(current_user),
        form=form, new_token=new_token, new_secret=new_secret,
    )


@bp.get("/account")
@signed_in
def account():
    return account_page(TokenForm())


@bp.post("/account/tokens")
@signed_in
def create_token():
    form = TokenForm()
    if not form.validate_on_submit():
        return account_page(form)
    user = current_user._get_current_object()
    token, secret = services.create_token(user, form.name.data, actor=user)
    db.session.commit()
    # Rendered, not redirected: the secret must not travel through the session cookie.
    return account_page(TokenForm(formdata=None), new_token=token, new_secret=secret)


@bp.post("/account/tokens/<int:token_id>/revoke")
@signed_in
def revoke_token(token_id: int):
    user = current_user._get_current_object()
    token = get_token_or_404(user, token_id)
    services.revoke_token(user, token.id, actor=user)
    db.session.commit()
    flash(f"The token “{token.name}” is revoked: it no longer works.", "success")
    return redirect(url_for("accounts.account"))


def _person_key() -> str:
    return f"person:{current_user.id}"


def _current_password_wrong(_response) -> bool:
    return g.get("current_password_wrong", False)


# The current password is a password check too: a stolen session must not guess it freely.
@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
@limiter.limit(_limit("PASSWORD_CHANGE_LIMIT"), methods=["POST"], key_func=_person_key,
               deduct_when=_current_password_wrong)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        with attempt(services.AccountError, flash_refusal=False) as changed:
            services.change_password(current_user, form.current.data, form.password.data)
        if changed.error:
            g.current_password_wrong = changed.error.field == "current"
            form[changed.error.field].errors.append(str(changed.error))
        else:
            login_user(current_user._get_current_object())  # this session stays, under the new epoch
            start_session()
            flash("Your password is changed. Other devices have been signed out, and every API token "
                  "of yours is revoked: create a new one below if a script still needs one.", "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/change_password.html", form=form)


@bp.route("/password-reset", methods=["GET", "POST"])
@public
@limiter.limit(_limit("PASSWORD_RESET_LIMIT"), methods=["POST"], key_func=_address_key)
def password_reset():
    form = PasswordResetForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        flash("If an active account uses that email, we have sent it a link to choose a new "
              "password. The link works once, within an hour. Setting the new password signs the "
              "account out everywhere and revokes its API tokens.", "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/password_reset.html", form=form)


@bp.route("/set-password/<secret>", methods=["GET", "POST"])
@public
def set_password(secret: str):
    token = services.redeemable_token(secret)
    if token is None:
        abort(404, description="This link has expired or has already been used. "
                               "Ask your district admin for a new one.")
    form = SetPasswordForm()
    if form.validate_on_submit():
        with attempt(services.AccountError, flash_refusal=False) as redeemed:
            services.redeem_set_password_link(token, form.password.data)
        if redeemed.ok:
            return _password_set(token.user)
        form[redeemed.error.field].errors.append(str(redeemed.error))
    return render_template("accounts/set_password.html", form=form, person=token.user)


def _password_set(user) -> Response:
    """After a set-password link is redeemed: signed out, to the sign-in page, on a trusted browser."""
    logout_user()
    session.clear()
    flash("Your password is set. Sign in with your email and the new password. Any API "
          "tokens of yours are revoked: create new ones on your account page if you need them.",
          "success")
    # Redeeming the link proves the mailbox is theirs: this browser is trusted, so a
    # person whose untrusted clients are locked out can reset and sign in at once.
    response = redirect(url_for("accounts.login"))
    remember_device(response, user)
    return response
