"""The annual report as a workbook: one sheet per table, numbers as numbers, percentages formatted."""

from __future__ import annotations

import io

from flask_babel import gettext as _

from legalaid.exports import MONEY_FORMAT, safe_cell, yuan

PERCENT_FORMAT = "0.00%"


def _number(value, unit: str):
    """A figure as the cell holds it: yuan for fen, a fraction for a percentage (shown as %)."""
    if value is None:
        return None
    if unit == "fen":
        return float(yuan(value))
    if unit == "percent":
        return float(value) / 100
    return value


def _format(unit: str) -> str | None:
    return {"fen": MONEY_FORMAT, "percent": PERCENT_FORMAT}.get(unit)


def annual_workbook(report: dict) -> io.BytesIO:
    """``report`` (``annual.annual_report``) as XLSX bytes: the figures' sections, then breakdowns and
    the monthly trend, each a sheet."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    header = [_("Figure"), _("This year"), _("Year before"), _("Growth"), _("What it counts")]
    for section in report["sections"]:
        sheet = book.create_sheet(section["title"][:31])
        sheet.append(header)
        for f in section["figures"]:
            growth = f["growth"] / 100 if f["growth"] is not None else None
            sheet.append(
                [
                    safe_cell(f["label"]),
                    _number(f["value"], f["unit"]),
                    _number(f["previous"], f["unit"]),
                    growth,
                    safe_cell(f["definition"]),
                ]
            )
            row = sheet.max_row
            if fmt := _format(f["unit"]):
                sheet.cell(row, 2).number_format = fmt
                sheet.cell(row, 3).number_format = fmt
            sheet.cell(row, 4).number_format = PERCENT_FORMAT
        _widths(sheet, (36, 14, 14, 10, 60), get_column_letter)
    breakdowns = report.get("breakdowns")
    if breakdowns:
        tables = (
            (
                _("By organisation"),
                breakdowns["organizations"],
                ("name", "area", "cases", "closed", "persons"),
            ),
            (
                _("By provider"),
                breakdowns["providers"]["rows"],
                ("name", "organization", "cases", "closed", "persons"),
            ),
            (_("By station"), breakdowns["stations"], ("name", "consultations", "cases")),
            (_("By area"), breakdowns["areas"], ("area", "cases", "persons")),
        )
        words = {
            "name": _("Name"),
            "area": _("Area"),
            "organization": _("Organisation"),
            "cases": _("Cases"),
            "closed": _("Closed"),
            "persons": _("Recipients"),
            "consultations": _("Consultations"),
        }
        for title, rows, columns in tables:
            sheet = book.create_sheet(title[:31])
            sheet.append([words[c] for c in columns])
            for r in rows:
                sheet.append([safe_cell(r[c]) if isinstance(r[c], str) else r[c] for c in columns])
            _widths(sheet, (30,) + (14,) * (len(columns) - 1), get_column_letter)
    if report.get("monthly"):
        sheet = book.create_sheet(_("Monthly trend")[:31])
        sheet.append([_("Month"), _("Cases received"), _("Recipients"), _("Cases ended"), _("Consultations")])
        for m in report["monthly"]:
            sheet.append([m["month"], m["received"], m["persons"], m["closed"], m["consultations"]])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def _widths(sheet, widths, letter) -> None:
    for i, width in enumerate(widths, 1):
        sheet.column_dimensions[letter(i)].width = width
