"""Reading a staff CSV: its encoding, its columns and its rows, before any database.

What we accept (docs/features.md, "Importing staff from a CSV"):

- UTF-8 with or without a byte order mark, else Windows-1252 (what Excel's plain
  "CSV" saves on a British Windows PC); anything else is refused with a clear error;
- commas, semicolons or tabs between cells (whichever the header row uses most);
- our own column names and those of an ESR export, in any order and letter case,
  other columns ignored (an ESR export has dozens);
- at most MAX_BYTES and MAX_ROWS rows.

Every cell is data: a cell starting with = + - or @ is kept as the text it is and never
evaluated (nothing here evaluates anything); exports neutralise such cells
(improvewell.http.csv_response).
"""

import csv
import io
import re
from dataclasses import dataclass

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 30_000

EMAIL, NAME, FIRST_NAME, LAST_NAME = "email", "name", "first_name", "last_name"
ROLE, STAFF_GROUP, WARD = "role", "staff_group", "ward"

# Column names (lower-case, words separated by one space) for each field, most
# specific first: when a file has several, the first listed wins. ESR exports name
# the work address "Assignment Email Address" and the place of work "Organisation",
# "Department" or "Location"; our own names come first.
COLUMNS = {
    EMAIL: ("email", "work email", "work email address", "assignment email address",
            "email address", "e mail", "e mail address"),
    NAME: ("name", "full name"),
    FIRST_NAME: ("first name", "forename", "forenames", "first names", "given name"),
    LAST_NAME: ("last name", "surname", "family name"),
    ROLE: ("role", "improvewell role"),
    STAFF_GROUP: ("staff group", "profession"),
    WARD: ("home ward", "ward", "department", "location", "organisation", "organization"),
}  # fmt: skip
READABLE = {
    EMAIL: "email (or Email Address, Assignment Email Address)",
    NAME: "name (or Full Name, or First Name and Last Name)",
}


class ImportFileError(ValueError):
    """Why the whole file cannot be read, in words for the admin who uploaded it."""


@dataclass(frozen=True)
class StaffRow:
    """One person as the file gives them; `number` is the spreadsheet's row number."""

    number: int
    email: str
    name: str = ""
    role: str = ""
    staff_group: str = ""
    ward: str = ""


@dataclass
class StaffFile:
    rows: list[StaffRow]
    errors: list[tuple[int, str]]  # (row number, message) for rows that cannot be read
    columns: dict[str, str]  # field -> the file's own column name


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (with or without a BOM), else Windows-1252."""
    if not data.strip():
        raise ImportFileError("The file is empty. Choose a CSV file with a header row and staff.")
    if data.startswith(b"PK\x03\x04"):
        raise ImportFileError(
            "This is an Excel workbook, not a CSV file. In Excel choose File, Save As, "
            "“CSV UTF-8 (Comma delimited)”, and upload that file."
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        raise ImportFileError(
            "The file is saved as UTF-16 (“Unicode Text”) or is not a text file. Save it "
            "as “CSV UTF-8 (Comma delimited)” and upload it again."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportFileError(
            "We could not read the file's characters: it is neither UTF-8 nor Windows "
            "text. Save it as “CSV UTF-8 (Comma delimited)” and upload it again."
        ) from None


def _column_key(header: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", header.lower()).split())


def _delimiter(first_line: str) -> str:
    return max((",", ";", "\t"), key=first_line.count)


def find_columns(header: list[str], *, need_name: bool) -> dict[str, int]:
    """Field -> index of the column that holds it; raises if a required one is missing."""
    keys = [_column_key(h) for h in header]
    found = {}
    for field, names in COLUMNS.items():
        for name in names:
            if name in keys:
                found[field] = keys.index(name)
                break
    missing = []
    if EMAIL not in found:
        missing.append(READABLE[EMAIL])
    has_name = NAME in found or (FIRST_NAME in found and LAST_NAME in found)
    if need_name and not has_name:
        missing.append(READABLE[NAME])
    if missing:
        raise ImportFileError(
            f"The file has no {' and no '.join(missing)} column. The first row must name "
            "the columns: email, name, role, staff group, home ward."
        )
    return found


def _cell(cells: list[str], index: int | None) -> str:
    return " ".join(cells[index].split()) if index is not None else ""


def _row(number: int, cells: list[str], columns: dict[str, int]) -> StaffRow:
    name = _cell(cells, columns.get(NAME))
    if not name and FIRST_NAME in columns:
        first, last = _cell(cells, columns[FIRST_NAME]), _cell(cells, columns.get(LAST_NAME))
        name = f"{first} {last}".strip()
    return StaffRow(
        number=number,
        email=_cell(cells, columns[EMAIL]).lower(),
        name=name,
        role=_cell(cells, columns.get(ROLE)),
        staff_group=_cell(cells, columns.get(STAFF_GROUP)),
        ward=_cell(cells, columns.get(WARD)),
    )


def read(text: str, *, need_name: bool = True) -> StaffFile:
    """The file's rows, and the rows whose cells do not line up with the header.

    Raises ImportFileError for a file that cannot be read at all: no header, missing
    columns, no rows, too many rows, broken quoting.
    """
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=_delimiter(first_line))
    try:
        header = next(reader, None)
        if not header or not any(cell.strip() for cell in header):
            raise ImportFileError("The file is empty. Choose a CSV file with a header row.")
        columns = find_columns(header, need_name=need_name)
        rows, errors = [], []
        # Row 1 is the header, as a spreadsheet numbers it.
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) + len(errors) >= MAX_ROWS:
                raise ImportFileError(
                    f"The file has more than {MAX_ROWS:,} people. Split it into smaller files."
                )
            if len(cells) != len(header):
                errors.append(
                    (
                        number,
                        f"Row {number} has {len(cells)} cells but the header has "
                        f"{len(header)}. Check it for a missing or extra comma or quote.",
                    )
                )
                continue
            rows.append(_row(number, cells, columns))
    except csv.Error as exc:
        raise ImportFileError(
            f"The file could not be read near line {reader.line_num}: {exc}. "
            "Check it for an unclosed quote."
        ) from None
    if not rows and not errors:
        raise ImportFileError("The file has a header row but no people under it.")
    return StaffFile(rows, errors, {field: header[i] for field, i in columns.items()})
