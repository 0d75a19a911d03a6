"""The page forms of closing, scoring, appeals, checklists and the quality report."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from legalaid import limits
from supervision.subsidies.forms import YuanField


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ClosingForm(FlaskForm):
    ended_on = DateField(_l("Case ended on"), validators=[DataRequired(), limits.InWindow("past")])
    outcome = SelectField(_l("Outcome"), validators=[DataRequired()])
    terminated = BooleanField(_l("Legal aid was terminated (Law art. 48)"))
    termination_ground = SelectField(_l("Ground for termination"), validators=[Optional()])
    termination_note = TextAreaField(_l("Note on the termination"), validators=[Optional(), Length(max=2000)])
    retainer_signed_on = DateField(_l("Retainer signed on"), validators=[Optional(), limits.InWindow("past")])
    recovered = YuanField(_l("Amount recovered or obtained for the client (yuan, optional)"))
    documents = MultiCheckboxField(_l("Closing materials handed in"))


class AtLeastOneTicked:
    """At least one box ticked, checked on the server only: a ``required`` flag would put ``required``
    on every box, and the browser would then refuse the form until all of them were ticked."""

    field_flags: dict = {}

    def __call__(self, form, field) -> None:
        if not field.data:
            raise ValidationError(_l("Tick the materials you are handing in now."))


class DocumentsForm(FlaskForm):
    documents = MultiCheckboxField(_l("Materials handed in now"), validators=[AtLeastOneTicked()])


class ActionForm(FlaskForm):
    """A button that posts: CSRF only."""


class AppealForm(FlaskForm):
    reason = TextAreaField(_l("Why you appeal"), validators=[DataRequired(), Length(max=4000)])


class AppealDecisionForm(FlaskForm):
    reason = TextAreaField(_l("Reasons for the decision"), validators=[DataRequired(), Length(max=4000)])


class QualityForm(FlaskForm):
    class Meta:
        csrf = False

    date_from = DateField(_l("From"), validators=[Optional(), limits.InWindow("planning")])
    date_to = DateField(_l("To"), validators=[Optional(), limits.InWindow("planning")])
    q = StringField(_l("Provider name"), validators=[Optional(), Length(max=100)])
    sort = SelectField(
        _l("Order"), choices=[SelectChoice("", "")], validators=[Optional()], validate_choice=True
    )


class ChecklistMetaForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    effective_from = DateField(_l("Effective from"), validators=[DataRequired(), limits.InWindow("planning")])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=4000)])
