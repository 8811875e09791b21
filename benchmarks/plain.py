"""The plain alternative as a whole process: openpyxl reads the register, docxtpl renders and
saves each Word document, one after another. bench.py times this whole process against the
whole `docautomation build` command.

    python benchmarks/plain.py REGISTER DOCUMENTS.json TEMPLATES OUTDIR

DOCUMENTS.json lists the Word documents as {"template", "name", "context"} objects (name: the
path the build writes it to, relative to the outbox): the very
documents a docautomation build writes, with the variables it gives each template
(`measure.py documents` writes the file). So the plain script renders the same documents;
only its own code for turning rows into variables is not charged to it. It reads the
workbook as a plain script does (`load_workbook(data_only=True)`, every row's values).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import openpyxl
from docxtpl import DocxTemplate  # type: ignore[import-untyped]


def main(argv: list[str]) -> None:
    register, documents, templates, outdir = (Path(arg) for arg in argv)
    workbook = openpyxl.load_workbook(register, data_only=True)
    cells = sum(
        len(row) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)
    )
    outdir.mkdir(parents=True, exist_ok=True)
    written = 0
    for document in json.loads(documents.read_text(encoding="utf-8")):
        template = DocxTemplate(templates / document["template"])
        template.render(document["context"], autoescape=True)
        target = outdir / document["name"]  # "2021/Kallelser/….docx": as the build lays them out
        target.parent.mkdir(parents=True, exist_ok=True)
        template.save(target)
        written += 1
    print(json.dumps({"cells": cells, "documents": written}))


if __name__ == "__main__":
    main(sys.argv[1:])
