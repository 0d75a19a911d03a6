"""People's words for the subsidy vocabulary: subsidy and batch states, the bank's outcome of an item,
the rate table's keys and the bank file's columns. One table each, for pages, forms and messages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from legalaid.errors import Labelled, labelled

SUBSIDY_STATUS_LABELS = {
    "pending": _l("pending (not yet archived)"),
    "payable": _l("payable"),
    "held": _l("on hold"),
    "batched": _l("in a payment batch"),
    "paid": _l("paid"),
    "reversed": _l("reversed"),
    "cancelled": _l("cancelled"),
}
# A subsidy archived with nothing to pay (status "cancelled", amount 0, its archive record kept).
CLOSED_AT_ZERO = _l("closed: nothing to pay")

BATCH_STATUS_LABELS = {
    "open": _l("open"),
    "confirmed": _l("confirmed paid"),
    "cancelled": lazy_pgettext("payment batch", "cancelled"),
}

ITEM_OUTCOME_LABELS = {
    "pending": _l("awaiting the bank"),
    "paid": _l("paid"),
    "failed": _l("rejected by the bank"),
    "cancelled": lazy_pgettext("payment batch", "cancelled"),
}

STAGE_LABELS = {
    "": "—",
    "investigation": _l("Investigation"),
    "prosecution": _l("Prosecution review"),
    "trial": _l("Trial"),
}

PROVIDER_KIND_LABELS = {"lawyer": _l("Lawyer"), "legal_adviser": _l("Legal adviser")}

# The bank transfer file's header row as people read it (the API's items keep the codes).
BATCH_COLUMN_LABELS = {
    "subsidy_id": _l("Subsidy no."),
    "payee": _l("Payee"),
    "bank_account": _l("Bank account"),
    "bank_name": _l("Bank"),
    "amount_yuan": _l("Amount (yuan)"),
    "amount_fen": _l("Amount (fen)"),
    "case_number": _l("Case number"),
    "archive_number": _l("Archive number"),
    "provider": _l("Provider"),
    "organization": _l("Organisation"),
}


def subsidy_status(code: str) -> Labelled:
    """A subsidy status in a message: the code in English (the API, the tests), its label on a page."""
    return labelled(code, SUBSIDY_STATUS_LABELS)


def batch_status(code: str) -> Labelled:
    return labelled(code, BATCH_STATUS_LABELS)


# Duty rows of the rate table (issue 14): a shift, paid per half day or whole day.
DUTY_CASE_TYPE_LABELS = {"duty": _l("Duty shift")}
DUTY_STAGE_LABELS = {"half_day": _l("half a day (duty)"), "day": _l("a whole day (duty)")}
