"""Admin pages of the shell: the users of the service and their roles."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from legalaid import users
from legalaid.auth import roles_required
from legalaid.db import db
from legalaid.errors import DomainError
from legalaid.filters import role_label
from legalaid.models import ROLES, User

bp = Blueprint("shell_admin", __name__, url_prefix="/admin")


class UserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=80)])
    display_name = StringField(lazy_pgettext("person", "Name"), validators=[Optional(), Length(max=120)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Length(max=254)])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(min=8, max=200)])
    roles = SelectMultipleField(
        _l("Roles"),
        validators=[DataRequired()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


class DisableForm(FlaskForm):
    pass


@bp.route("/users", methods=["GET", "POST"])
@roles_required("admin")
def user_list():
    form = UserForm()
    form.roles.choices = [SelectChoice(r, role_label(r)) for r in ROLES]
    status = 200
    if form.validate_on_submit():
        try:
            user = users.create_user(
                db.session,
                current_user,
                form.username.data,
                form.password.data,
                form.roles.data,
                display_name=form.display_name.data or None,
                email=form.email.data or None,
            )
            db.session.commit()
            flash(_("User %(name)s created.", name=user.username), "success")
            return redirect(url_for("shell_admin.user_list"))
        except DomainError as exc:
            db.session.rollback()
            for field, problems in exc.shown_fields().items():
                if field in form:
                    form[field].errors = list(problems)
            flash(exc.shown(), "error")
            status = 422
    elif form.errors:
        status = 422
    people = db.session.scalars(sa.select(User).order_by(User.username)).all()
    return render_template("admin/users.html", form=form, people=people, disable_form=DisableForm()), status


@bp.route("/users/<int:user_id>/disable", methods=["POST"])
@roles_required("admin")
def disable(user_id: int):
    form = DisableForm()
    user = db.session.get(User, user_id)
    if user is None:
        return render_template("errors/error.html", status=404, message=_("There is nothing here.")), 404
    if form.validate_on_submit():
        if user.id == current_user.id:
            flash(_("You cannot disable yourself."), "error")
        else:
            try:
                users.disable_user(db.session, current_user, user)
                db.session.commit()
                flash(_("%(name)s can no longer sign in.", name=user.username), "success")
            except DomainError as exc:
                db.session.rollback()
                flash(exc.shown(), "error")
    return redirect(url_for("shell_admin.user_list"))


@bp.get("/rules")
@roles_required("admin")
def rules_in_force():
    """The rules the service runs on now (read-only: they change in the rules file, then a restart)."""
    from flask import current_app

    from legalaid import rules

    return render_template("admin/rules.html", rule_sets=rules.in_force(current_app))
