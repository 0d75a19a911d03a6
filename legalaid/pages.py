"""The shell's pages: sign in and out, each role's home page, the account page, language, errors."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from legalaid import users
from legalaid.auth import client_address, login_required
from legalaid.db import db
from legalaid.errors import DomainError
from legalaid.hooks import registry

bp = Blueprint("shell", __name__)

LANGUAGE_NAMES = {"zh_Hans": "简体中文", "en": "English"}


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    next = HiddenField()


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=8, max=200)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", _l("The passwords differ."))],
    )


class LanguageForm(FlaskForm):
    locale = SelectField(
        _l("Language"), choices=[SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()]
    )
    next = HiddenField()


def safe_next(target: str | None) -> str:
    """Only redirect within this site."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("shell.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        try:
            user = users.authenticate(db.session, form.username.data, form.password.data, client_address())
        except DomainError as exc:
            db.session.rollback()
            status = exc.status
            flash(
                _("Too many failed sign-ins. Try again in 15 minutes.")
                if status == 429
                else _("Wrong username or password."),
                "error",
            )
            return render_template("auth/login.html", form=form), status
        db.session.commit()
        login_user(user)
        if user.locale:
            session["locale"] = user.locale
        if user.must_change_password:  # the page says why
            return redirect(url_for("shell.change_password", next=safe_next(form.next.data)))
        return redirect(safe_next(form.next.data))
    return render_template("auth/login.html", form=form), (400 if form.errors else 200)


@bp.route("/logout", methods=["POST"])
def logout():
    form = FlaskForm()
    if form.validate_on_submit():
        logout_user()
        flash(_("You have signed out."), "info")
    return redirect(url_for("shell.login"))


@bp.route("/")
@login_required
def home():
    panels = []
    for panel in sorted(registry().home_panels, key=lambda p: p.order):
        if current_user.has_role(*panel.roles):
            html = panel.render(current_user)
            if html:
                panels.append(html)
    return render_template("home.html", panels=panels)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            users.change_own_password(
                db.session, current_user, form.current_password.data, form.new_password.data
            )
        except DomainError as exc:
            db.session.rollback()
            flash(exc.shown() if exc.status != 422 else _("The current password is wrong."), "error")
            return render_template("account.html", form=form, language_form=_language_form()), 422
        db.session.commit()
        flash(_("Your password has been changed."), "success")
        return redirect(url_for("shell.account"))
    return render_template("account.html", form=form, language_form=_language_form()), (
        422 if form.errors else 200
    )


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Every user's own password: the current one, then the new one twice. A user an admin gave a
    temporary password "to change at the next sign-in" is sent here and may go nowhere else."""
    form = PasswordForm()
    required = current_user.must_change_password
    if form.validate_on_submit():
        try:
            users.change_own_password(
                db.session, current_user, form.current_password.data, form.new_password.data
            )
        except DomainError as exc:
            db.session.rollback()
            for name, problems in exc.shown_fields().items():
                if name in form:
                    form[name].errors = [*form[name].errors, *problems]
            flash(exc.shown(), "error")
            return _password_page(form, required, 422)
        db.session.commit()
        flash(_("Your password has been changed."), "success")
        return redirect(safe_next(request.args.get("next")) if required else url_for("shell.account"))
    return _password_page(form, required, 422 if form.errors else 200)


def _password_page(form: PasswordForm, required: bool, status: int):
    page = render_template(
        "auth/change_password.html", form=form, required=required, min_length=users.MIN_PASSWORD_LENGTH
    )
    return page, status


# What a user who must change their password may still reach: signing in and out, the change
# itself, the language, the icon and static files.
OPEN_WHILE_PASSWORD_CHANGE_REQUIRED = frozenset(
    {
        "static",
        "shell.login",
        "shell.logout",
        "shell.change_password",
        "shell.set_language",
        "shell.favicon",
        "shell_api.create_session",
        "shell_api.read_session",
        "shell_api.delete_session",
        "shell_api.change_own_password",
    }
)


@bp.before_app_request
def require_password_change():
    """A user whose password must be changed reaches only the change-password page (pages are sent
    there; the API answers 403 ``password_change_required``)."""
    if request.endpoint is None or request.endpoint in OPEN_WHILE_PASSWORD_CHANGE_REQUIRED:
        return None
    user = current_user._get_current_object()
    if not user.is_authenticated or not getattr(user, "must_change_password", False):
        return None
    from legalaid.api import error_response, is_api_request

    if is_api_request():
        return error_response(
            403,
            "password_change_required",
            "Your password must be changed first: POST /api/v1/me/password.",
        )
    flash(_("Choose your own password before you continue."), "warning")
    target = request.full_path if request.query_string else request.path
    return redirect(url_for("shell.change_password", next=target if request.method == "GET" else None))


def _language_form() -> LanguageForm:
    from legalaid.i18n import current_locale

    form = LanguageForm(formdata=None)
    form.locale.data = current_locale()
    return form


@bp.route("/language", methods=["POST"])
def set_language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            users.set_locale(db.session, current_user, form.locale.data)
            db.session.commit()
    return redirect(safe_next(form.next.data or request.referrer and urlsplit(request.referrer).path))


@bp.get("/favicon.ico")
def favicon():
    """Browsers and bookmark tools ask for /favicon.ico whatever the page says: the same SVG icon (a few
    hundred bytes, answered whole, so no file stays open while a client holds the answer)."""
    response = current_app.response_class(
        (Path(current_app.static_folder) / "favicon.svg").read_bytes(), mimetype="image/svg+xml"
    )
    response.cache_control.max_age = 86400
    return response


def domain_error_page(exc: DomainError):
    return render_template("errors/error.html", status=exc.status, message=exc.shown()), exc.status


def http_error_page(exc):
    messages = {
        400: _l("The request could not be understood."),
        403: _l("Your role does not allow this page."),
        404: _l("There is nothing here."),
        405: _l("That action is not possible here."),
        500: _l("Something went wrong on our side; it has been logged."),
    }
    status = exc.code or 500
    return render_template(
        "errors/error.html", status=status, message=messages.get(status, exc.description)
    ), status


def forbidden_page():
    return render_template(
        "errors/error.html", status=403, message=_("Your role does not allow this page.")
    ), 403
