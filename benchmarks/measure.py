"""One measurement in a fresh process; bench.py runs it and reads the JSON it prints.

python measure.py build REGISTER OUTBOX TEMPLATES YYYY-MM-DD [--warm]
    docautomation's build of REGISTER, in-process (after importing the pipeline, as the
    CLI does): seconds, seconds per stage, files written. --warm imports every module a
    build uses first, as in a watcher or sync process that has built before.
python measure.py plain REGISTER OUTDIR TEMPLATES YYYY-MM-DD
    The plain alternative: each document loaded with docxtpl's DocxTemplate, rendered with
    the same variables the pipeline gives that template, and saved, one after another.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

# What a build imports on first use (pipeline imports them lazily).
WARM_MODULES = ("docautomation.register.workbook", "docautomation.validation.rules", "docautomation.ranking",
                "docautomation.documents.jobs", "docautomation.documents.calendars", "docautomation.outbox.history",
                "docautomation.validation.report", "docxtpl", "icalendar")  # fmt: skip


# Where each stage's time goes: (stage, module, function). The build looks these functions up
# on their modules when it runs, so wrapping them there times every call without the build
# carrying a timings parameter.
STAGE_FUNCTIONS = (
    ("read", "docautomation.register.workbook", "read_register"),
    ("validate", "docautomation.validation.rules", "validate"),
    ("rank", "docautomation.ranking", "rank"),
    ("render", "docautomation.documents.jobs", "document_jobs"),
    ("render", "docautomation.documents.calendars", "calendar_jobs"),
    ("write", "docautomation.outbox.writer", "write_outputs"),
    ("write", "docautomation.validation.report", "write_validation_report"),
)


def time_stages(timings: dict[str, float]) -> None:
    """Wrap each stage function so its seconds are added to timings[stage]."""
    import functools
    import importlib

    for stage, module_name, name in STAGE_FUNCTIONS:
        module = importlib.import_module(module_name)
        original = getattr(module, name)

        @functools.wraps(original)
        def timed(*args: Any, _f: Any = original, _s: str = stage, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return _f(*args, **kwargs)
            finally:
                timings[_s] = timings.get(_s, 0.0) + time.perf_counter() - started

        setattr(module, name, timed)


def measure_build(
    register: Path, outbox: Path, templates: Path, today: date, warm: bool = False
) -> dict[str, Any]:
    """Time pipeline.build of one register; importing the pipeline (and, when `warm`,
    everything a build uses) is not counted."""
    import importlib

    from docautomation import build as pipeline
    from docautomation.config import Settings

    for module in WARM_MODULES if warm else ():
        importlib.import_module(module)
    settings = Settings(inbox=register.parent, outbox=outbox, templates=templates)
    timings: dict[str, float] = {}
    time_stages(timings)
    started = time.perf_counter()
    summary = pipeline.build([register], settings, today=today)
    seconds = time.perf_counter() - started
    outcome = summary.outcomes[0]
    return {
        "seconds": seconds,
        "timings": timings,
        "exit_code": outcome.exit_code,
        "problems": len(outcome.problems),
        "written": [p.relative_to(outbox).as_posix() for p in outcome.written],
        "unchanged": len(outcome.unchanged),
        "message": outcome.message,
    }


def plain_documents(register: Path, templates: Path, today: date) -> list[tuple[str, str, Any]]:
    """(template file, output name, variables) for every Word document the pipeline writes."""
    from docautomation import ranking
    from docautomation.build import validate_file
    from docautomation.config import Settings
    from docautomation.documents import contexts as template_context
    from docautomation.documents.annual import annual_context
    from docautomation.documents.formatting import kallelse_names
    from docautomation.documents.minutes import minutes_context, paragraph_starts

    settings = Settings(inbox=register.parent, outbox=register.parent, templates=templates)
    reg = validate_file(register, settings).register
    ranked = ranking.rank(reg)
    docs = [(template_context.PLAN_TEMPLATE, "Verksamhetsplan.docx",
             template_context.plan_context(reg))]  # fmt: skip
    for meeting, stem in kallelse_names(reg.meetings):
        docs.append((template_context.NOTICE_TEMPLATE, f"{stem}.docx",
                     template_context.notice_context(reg, meeting)))  # fmt: skip
    docs.append((template_context.REPORT_TEMPLATE, "Önskemål.docx",
                 template_context.report_context(reg, ranked, today, None)))  # fmt: skip
    docs.append((template_context.ANNUAL_TEMPLATE, "Verksamhetsberättelse.docx",
                 annual_context(reg, today)))  # fmt: skip
    named = kallelse_names(reg.meetings)
    starts = paragraph_starts([m for m, _ in named], reg.association.running_numbers)
    for (meeting, stem), first in zip(named, starts, strict=True):
        docs.append((template_context.MINUTES_TEMPLATE, f"Protokoll {stem}.docx",
                     minutes_context(reg, meeting, first)))  # fmt: skip
    return docs


def measure_plain(register: Path, outdir: Path, templates: Path, today: date) -> dict[str, Any]:
    """Time docxtpl load + render (autoescape on, as safe output needs) + save per document.

    Reading, validating and ranking the register and building the variables are not counted:
    the plain script gets them for free.
    """
    from docxtpl import DocxTemplate  # type: ignore[import-untyped]

    docs = plain_documents(register, templates, today)
    outdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for template, name, context in docs:
        document = DocxTemplate(templates / template)
        document.render(context, autoescape=True)
        document.save(outdir / name)
    return {"seconds": time.perf_counter() - started, "documents": len(docs)}


def peak_rss_mb() -> float | None:
    """This process's peak resident set size in MB; None where the platform does not say.

    Linux: VmHWM from /proc/self/status. Not ru_maxrss: Linux carries the parent's resident
    size from before exec over into it (a 300 MB parent made an 11 MB child report 311 MB),
    for RUSAGE_SELF and RUSAGE_CHILDREN alike. macOS and the BSDs: ru_maxrss. Windows: None.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, else KiB


def main(argv: list[str]) -> None:
    mode, register, out, templates, day, *flags = argv
    paths = (Path(register), Path(out), Path(templates))
    if mode == "build":
        result = measure_build(*paths, date.fromisoformat(day), warm="--warm" in flags)
    else:
        result = measure_plain(*paths, date.fromisoformat(day))
    result["peak_mb"] = peak_rss_mb()
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
