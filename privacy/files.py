"""The download's two shapes: one JSON document, or a zip with one CSV file per kind."""

import csv
import io
import json
import zipfile

from .selectors import KINDS

# Spreadsheet programs run a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_json(data: dict[str, list[dict]]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    # A leading quote keeps a title such as "=1+1" text when the file is opened.
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _csv(rows: list[dict]) -> str:
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({key: _cell(value) for key, value in row.items()} for row in rows)
    return out.getvalue()


def as_zip(data: dict[str, list[dict]]) -> bytes:
    """`<kind>.csv` for every kind, UTF-8 with a byte order mark so that Excel reads it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for kind in KINDS:
            archive.writestr(f"{kind}.csv", "\ufeff" + _csv(data[kind]))
    return buffer.getvalue()
