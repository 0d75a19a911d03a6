"""Files for spreadsheet programs (CSV, XLSX): every export of the service writes its cells here.

A spreadsheet program runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` as a formula (a
leading tab or carriage return can hide such a start), so a provider named
``=HYPERLINK("http://evil.example","pay")`` or a bank account ``=1+2`` typed into the panel would
become a live formula in the bank transfer file. As OWASP advises against CSV injection, such text
is written with a single quote in front, which the program shows as plain text; the XLSX holds it
as a string cell, never a formula. Amounts are numbers, not text: yuan with two decimals (``0.00``
in the XLSX), so finance can add them up.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Collection, Iterable, Iterator
from decimal import Decimal
from typing import IO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MONEY_FORMAT = "0.00"
_CSV_CHUNK_ROWS = 500


def safe_cell(value: object) -> object:
    """``value`` as a spreadsheet must receive it: text that would start a formula gets a leading
    ``'``; numbers, dates and empty cells pass unchanged (a negative amount stays a number)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[object]) -> list[object]:
    return [safe_cell(v) for v in values]


def yuan(fen: int) -> Decimal:
    """An amount in fen as yuan with two decimals (exact: money never passes through a float)."""
    return Decimal(int(fen)).scaleb(-2)


def csv_text(rows: Iterable[Iterable[object]]) -> str:
    """A small CSV (a report of a few hundred rows) as one string."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow(safe_row(row))
    return out.getvalue()


def csv_stream(header: list[str], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """A large CSV written as it is read, in chunks of a few hundred rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # so spreadsheet programs read the Chinese names as UTF-8
    writer.writerow(safe_row(header))
    for i, row in enumerate(rows, 1):
        writer.writerow(safe_row(row))
        if i % _CSV_CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_file(
    title: str, header: list[str], rows: Iterable[Iterable[object]], money_columns: Collection[str] = ()
) -> IO[bytes]:
    """A temporary file holding a one-sheet workbook, written row by row (openpyxl's write-only
    mode: rows go to disk as they come). Columns named in ``money_columns`` hold yuan as numbers
    shown with two decimals."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append(safe_row(header))
    money = [i for i, name in enumerate(header) if name in money_columns]
    for row in rows:
        cells = safe_row(row)
        for i, value in enumerate(cells):
            # Control characters cannot be stored in XLSX at all (openpyxl refuses the file).
            if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
                cells[i] = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
        for i in money:
            if cells[i] is not None:
                cells[i] = WriteOnlyCell(sheet, value=cells[i])
                cells[i].number_format = MONEY_FORMAT
        sheet.append(cells)
    out = tempfile.TemporaryFile()  # noqa: SIM115  (the response closes it once sent)
    workbook.save(out)
    out.seek(0)
    return out
