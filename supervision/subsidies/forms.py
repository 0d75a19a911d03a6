"""The page forms of archiving, subsidies, payment batches and rates. People type money in yuan
(``YuanField``); the services take integer fen."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, Field, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import TextInput

from assignment.labels import CASE_TYPE_LABELS
from legalaid import limits
from supervision.subsidies.labels import (
    DUTY_CASE_TYPE_LABELS,
    DUTY_STAGE_LABELS,
    PROVIDER_KIND_LABELS,
    STAGE_LABELS,
    SUBSIDY_STATUS_LABELS,
)

CASE_TYPE_CHOICES = [
    SelectChoice("", _l("All case types")),
    *(SelectChoice(code, label) for code, label in CASE_TYPE_LABELS.items()),
]


class YuanField(Field):
    """An amount typed in yuan ("1200", "1,200.50", "¥1200") held as integer fen in ``data``; more than
    two decimals, a negative or a non-number is refused in people's words."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, maximum_fen: int = limits.MAX_AMOUNT_FEN, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)
        self.maximum_fen = maximum_fen

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        whole, part = divmod(int(self.data), 100)
        return f"{whole}.{part:02d}"

    def process_formdata(self, valuelist) -> None:
        if not valuelist:
            return
        text = (valuelist[0] or "").strip().replace(",", "").replace("，", "").lstrip("¥￥").strip()
        if not text:
            self.data = None
            return
        try:
            amount = Decimal(text)
        except InvalidOperation:
            self.data = None
            raise ValueError(_l("Type an amount in yuan, such as 1200 or 1200.50.")) from None
        if not amount.is_finite():
            self.data = None
            raise ValueError(_l("Type an amount in yuan, such as 1200 or 1200.50."))
        if amount < 0:
            self.data = None
            raise ValueError(_l("The amount cannot be negative."))
        fen = amount * 100
        if fen != fen.to_integral_value():
            self.data = None
            raise ValueError(_l("At most two decimals (down to the fen), such as 1200.50."))
        if fen > self.maximum_fen:
            self.data = None
            raise ValueError(_l("That amount is far too large for a subsidy rate."))
        self.data = int(fen)


def required_yuan(form, field) -> None:
    if field.data is None and not field.errors:
        raise ValidationError(_l("Type the amount in yuan."))


class QueueFilterForm(FlaskForm):
    class Meta:
        csrf = False

    case_type = SelectField(_l("Case type"), choices=CASE_TYPE_CHOICES, validators=[Optional()])
    organization_id = SelectField(_l("Organisation"), coerce=str, validators=[Optional()])
    archived_from = DateField(_l("Archived from"), validators=[Optional(), limits.InWindow("planning")])
    archived_to = DateField(_l("Archived to"), validators=[Optional(), limits.InWindow("planning")])
    overdue = BooleanField(_l("Past the 90-day limit only"))
    sort = SelectField(
        _l("Order"),
        choices=[
            SelectChoice("archived_on", _l("Archived earliest first")),
            SelectChoice("-amount", _l("Largest amount first")),
            SelectChoice("amount", _l("Smallest amount first")),
            SelectChoice("provider", _l("Provider")),
            SelectChoice("case", _l("Case number")),
        ],
        default="archived_on",
        validators=[Optional()],
    )


SORT_CHOICES = [
    SelectChoice("-id", _l("Newest first")),
    SelectChoice("id", _l("Oldest first")),
    SelectChoice("case", _l("Case number")),
    SelectChoice("provider", _l("Provider")),
    SelectChoice("status", _l("Status")),
    SelectChoice("-amount", _l("Largest amount first")),
    SelectChoice("amount", _l("Smallest amount first")),
    SelectChoice("archived_on", _l("Archived earliest first")),
    SelectChoice("-archived_on", _l("Archived latest first")),
]


class SubsidyFilterForm(FlaskForm):
    """The supervisor's subsidy list: status, provider or case, archive period, and the order."""

    class Meta:
        csrf = False

    status = SelectField(
        _l("Status"),
        choices=[
            SelectChoice("", _l("All states")),
            *(SelectChoice(code, label) for code, label in SUBSIDY_STATUS_LABELS.items()),
        ],
        validators=[Optional()],
    )
    q = StringField(_l("Provider or case number"), validators=[Optional(), Length(max=100)])
    archived_from = DateField(_l("Archived from"), validators=[Optional(), limits.InWindow("planning")])
    archived_to = DateField(_l("Archived to"), validators=[Optional(), limits.InWindow("planning")])
    sort = SelectField(_l("Order"), choices=SORT_CHOICES, default="-id", validators=[Optional()])


class ConfirmForm(FlaskForm):
    bank_reference = StringField(_l("Bank reference"), validators=[DataRequired(), Length(max=100)])
    paid_on = DateField(_l("Paid on"), validators=[DataRequired(), limits.InWindow("past")])
    failed_ids = StringField(
        _l("Subsidies the bank rejected (numbers, separated by commas)"),
        validators=[Optional(), Length(max=20_000)],
    )


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


STAGE_CHOICES = [SelectChoice(code, label) for code, label in {**STAGE_LABELS, **DUTY_STAGE_LABELS}.items()]
KIND_CHOICES = [SelectChoice(code, label) for code, label in PROVIDER_KIND_LABELS.items()]


class RateForm(FlaskForm):
    case_type = SelectField(
        _l("Case type"),
        choices=[
            *CASE_TYPE_CHOICES[1:],
            *(SelectChoice(c, label) for c, label in DUTY_CASE_TYPE_LABELS.items()),
        ],
    )
    stage = SelectField(_l("Stage (criminal cases; duty: half or whole day)"), choices=STAGE_CHOICES)
    provider_kind = SelectField(_l("Provider kind"), choices=KIND_CHOICES)
    effective_from = DateField(_l("In force from"), validators=[DataRequired(), limits.InWindow("planning")])
    amount = YuanField(_l("Amount (yuan)"), validators=[required_yuan])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])


class RateCorrectionForm(FlaskForm):
    """A mistaken rate not used yet: its date, amount and note (the cases it covers stay)."""

    effective_from = DateField(_l("In force from"), validators=[DataRequired(), limits.InWindow("planning")])
    amount = YuanField(_l("Amount (yuan)"), validators=[required_yuan])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])
