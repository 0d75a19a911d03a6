"""The forms of the admin's user pages (legalaid.admin_pages)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget


def _roles_field(label) -> SelectMultipleField:
    return SelectMultipleField(
        label,
        validators=[DataRequired()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


class UserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=80)])
    display_name = StringField(lazy_pgettext("person", "Name"), validators=[Optional(), Length(max=120)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Length(max=254)])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(min=8, max=200)])
    roles = _roles_field(_l("Roles"))
    provider_id = SelectField(_l("Lawyer or adviser on the panel"), validators=[Optional()])
    must_change = BooleanField(_l("They must choose their own password at the next sign-in"), default=True)


class ProfileForm(FlaskForm):
    display_name = StringField(lazy_pgettext("person", "Name"), validators=[Optional(), Length(max=120)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Length(max=254)])


class RolesForm(FlaskForm):
    roles = _roles_field(_l("Roles"))


class ProviderLinkForm(FlaskForm):
    provider_id = SelectField(_l("Lawyer or adviser on the panel"), validators=[Optional()])


class PasswordResetForm(FlaskForm):
    password = PasswordField(_l("Temporary password"), validators=[DataRequired(), Length(min=8, max=200)])
    confirm = PasswordField(
        _l("Repeat the temporary password"),
        validators=[DataRequired(), EqualTo("password", _l("The passwords differ."))],
    )
    must_change = BooleanField(_l("They must choose their own password at the next sign-in"), default=True)


class UserFilterForm(FlaskForm):
    """The users list's filter, read from the query string (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_l("Username, name or e-mail"), validators=[Optional(), Length(max=100)])
    role = SelectField(_l("Role"), validators=[Optional()])
    active = SelectField(
        _l("State"),
        choices=[
            SelectChoice("", _l("Everyone")),
            SelectChoice("yes", _l("Can sign in")),
            SelectChoice("no", _l("Account disabled")),
        ],
        validators=[Optional()],
    )
    sort = SelectField(
        _l("Sort by"),
        choices=[
            SelectChoice("username", _l("Username")),
            SelectChoice("name", lazy_pgettext("person", "Name")),
            SelectChoice("created", _l("Newest first")),
        ],
        validators=[Optional()],
    )
    page = IntegerField(_l("Page"), validators=[Optional(), NumberRange(1, 2**31 - 1)])
