"""Writing registers and working folders: `init`'s empty register, the shipped example, test files."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..config import CONFIG_FILE_NAME, EXAMPLE_DATA, SHIPPED_TEMPLATES
from ..errors import ConfigError
from ..fileio import swedish_reason, write_atomically
from ..models import DEFAULT_CATEGORIES
from .layout import FORENING_CHOICES, FORENING_FIELDS, SHEETS, Column, dropdown, hint
from .workbook import SHEETS as READER_SHEETS

EMPTY_REGISTER_NAME = "Register.xlsx"

_MAX_ROW = 500  # dropdowns and formats reach this far down each sheet
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
# Which columns are required is the reader's knowledge; the layout here only adds looks.
_REQUIRED = {spec.name: set(spec.required) for spec in READER_SHEETS}

Rows = Sequence[Mapping[str, Any]]


def write_register(path: Path, content: Mapping[str, Rows] | None = None) -> Path:
    """Write a register workbook with every sheet, header, dropdown and the Instruktioner sheet.

    Args:
        path: where to write the .xlsx (written atomically).
        content: rows per sheet, each row a mapping header → value. None gives the empty register
            (Förening's Fält names filled in, the default priority order in Prioritering).
    """
    write_atomically(path, register_bytes(content))  # a watcher never sees half a workbook
    return path


def register_bytes(content: Mapping[str, Rows] | None = None) -> bytes:
    """The .xlsx bytes `write_register` writes, for callers that place the file themselves.

    A row's headers that the layout does not know (a column the board added) become extra
    columns after the known ones, so nothing a register carries over is lost.
    """
    content = content or _empty_content()
    wb = Workbook()
    _write_instructions(wb.worksheets[0])  # the sheet a new workbook starts with
    for name, columns in SHEETS.items():
        rows = content.get(name, ())
        _write_sheet(wb.create_sheet(name), columns + _extra_columns(columns, rows), rows)
    _add_field_dropdowns(wb["Förening"])
    wb.active = 1
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def forening_rows(values: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Förening's rows in init's order, each Värde from `values` (blank: the field's default)."""
    return [{"Fält": name, "Värde": values.get(name, "")} for name, _ in FORENING_FIELDS]


def example_content() -> dict[str, list[dict[str, Any]]]:
    """The shipped example register's rows (the 2021 plan plus sample wishes and meetings)."""
    data = json.loads(EXAMPLE_DATA.read_text(encoding="utf-8"))
    return {name: [_typed(row) for row in data[name]] for name in SHEETS if name in data}


def init_folder(directory: Path) -> list[Path]:
    """Set up a working folder (`docautomation init`); never overwrites anything that exists.

    Returns the paths created. Raises ConfigError if the shipped templates cannot be found or
    the folder cannot be written (a file in the way, no permission).
    """
    try:
        return _init_folder(directory)
    except OSError as exc:
        raise ConfigError(f"Kan inte sätta upp {directory}: {swedish_reason(exc)}.") from exc


def _init_folder(directory: Path) -> list[Path]:
    created: list[Path] = []
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / CONFIG_FILE_NAME
    if not config.exists():
        config.write_text(DEFAULT_CONFIG, encoding="utf-8")
        created.append(config)
    for sub in ("inbox", "outbox", "templates"):
        (directory / sub).mkdir(exist_ok=True)
    created += _copy_templates(directory / "templates")
    register = directory / "inbox" / EMPTY_REGISTER_NAME
    if not register.exists():
        created.append(write_register(register))
    return created


def _copy_templates(target: Path) -> list[Path]:
    sources = sorted(SHIPPED_TEMPLATES.glob("*.docx"))
    if not sources:
        raise ConfigError(f"Hittar inga mallar att kopiera i {SHIPPED_TEMPLATES}.")
    copied = []
    for src in sources:
        dest = target / src.name
        if not dest.exists():
            shutil.copyfile(src, dest)
            copied.append(dest)
    return copied


def _empty_content() -> dict[str, Rows]:
    return {
        "Förening": forening_rows({}),
        "Prioritering": [{"Nr": c.number, "Kategori": c.name} for c in DEFAULT_CATEGORIES],
    }


def _extra_columns(columns: tuple[Column, ...], rows: Rows) -> tuple[Column, ...]:
    known = {col.header for col in columns}
    extra = dict.fromkeys(key for row in rows for key in row if key not in known)
    return tuple(Column(header, 20, "") for header in extra)


def _write_sheet(ws: Worksheet, columns: tuple[Column, ...], rows: Rows) -> None:
    ws.append([col.header for col in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    for row in rows:
        ws.append([_cell_value(row.get(col.header)) for col in columns])
    for index, col in enumerate(columns, start=1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = col.width
        _format_column(ws, letter, col, len(rows))
        cells = f"{letter}2:{letter}{_MAX_ROW}"
        if col.choices:
            ws.add_data_validation(dropdown(col.header, col.choices, col.help, cells))
        elif col.hint:
            ws.add_data_validation(hint(col.header, col.help, cells))
    ws.freeze_panes = "A2"


def _format_column(ws: Worksheet, letter: str, col: Column, count: int) -> None:
    if col.number_format:
        # The column's own format reaches the rows the board fills in later; a cell written
        # here carries its own style, so the rows given are formatted one by one below.
        ws.column_dimensions[letter].number_format = col.number_format
    for r in range(2, count + 2):
        cell = ws[f"{letter}{r}"]
        cell.alignment = Alignment(vertical="top", wrap_text=True)
        if col.number_format and isinstance(cell.value, (date, time)):
            cell.number_format = col.number_format


def _add_field_dropdowns(ws: Worksheet) -> None:
    helps = dict(FORENING_FIELDS)
    for field, value in ws.iter_rows(min_row=2, max_col=2):
        name = str(field.value or "")
        if name in FORENING_CHOICES:
            choices = FORENING_CHOICES[name]
            ws.add_data_validation(dropdown(name, choices, helps[name], value.coordinate))


def _write_instructions(ws: Worksheet) -> None:
    ws.title = "Instruktioner"
    ws.append(["Registret för föreningens verksamhetsplan, önskemål och möten"])
    ws["A1"].font = Font(bold=True, size=14)
    intro = (
        "Fyll i bladen nedan. docautomation läser arbetsboken när den sparas och skapar "
        "verksamhetsplanen, kallelserna, rapporten till leverantören, verksamhetsberättelsen "
        "och ett protokollsutkast per möte."
    )
    ws.append([intro])
    ws.append([])
    ws.append(["Blad", "Kolumn", "Förklaring"])
    for cell in ws[4]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    for sheet, columns in SHEETS.items():
        for col in columns:
            required = col.header in _REQUIRED[sheet]
            ws.append([sheet, col.header + (" (krävs)" if required else ""), col.help])
    for name, help_text in FORENING_FIELDS:
        ws.append(["Förening", f"Fält: {name}", help_text])
    for letter, width in (("A", 16), ("B", 34), ("C", 100)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A5"


def _cell_value(value: Any) -> Any:
    return "" if value is None else value


def _typed(row: Mapping[str, Any]) -> dict[str, Any]:
    """JSON keeps dates and times as text; the example register stores real Excel values."""
    return {key: _parse_json_value(key, value) for key, value in row.items()}


def _parse_json_value(key: str, value: Any) -> Any:
    if not isinstance(value, str) or not value:
        return value
    if key in ("Inlämnat", "Datum", "Kallelsedatum"):
        return datetime.fromisoformat(value)
    if key in ("Start", "Slut"):
        hours, minutes = value.split(".")
        return time(int(hours), int(minutes))
    return value


# The commented config file `init` writes; paths are relative, so the folder can be moved.
DEFAULT_CONFIG = """\
# docautomation – inställningar. Sökvägar är relativa till den här filen.
# Flaggor går före miljövariabler (DOCAUTOMATION_*), som går före den här filen.
inbox = "inbox"
outbox = "outbox"
templates = "templates"
# true: en PDF bredvid varje dokument, för build, watch och sync (kräver LibreOffice och pdftotext).
pdf = false

[limits]
max_file_mb = 50
max_unpacked_mb = 250
max_parts = 10000
render_seconds = 10  # per dokument; även render_max_chars, render_max_document_mb (se README)

[watch]
debounce = 0.3
stable_gap = 0.25
poll_interval = 1.0
rescan_interval = 60.0

[sharepoint]
# Hemligheten läses bara från miljövariabeln DOCAUTOMATION_CLIENT_SECRET,
# certifikatets lösenord från DOCAUTOMATION_CERT_PASSWORD.
tenant_id = ""
client_id = ""
site = ""                # t.ex. "kommun.sharepoint.com:/sites/castor"
library = "Dokument"
register_path = ""       # t.ex. "Styrelsen/Register.xlsx"
output_folder = "Dokument från docautomation"
auth = "certificate"     # certificate | secret | device
certificate_path = ""
"""
