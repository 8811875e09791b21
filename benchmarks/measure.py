"""One measurement in a fresh process; bench.py runs it and reads the JSON it prints.

python measure.py build REGISTER OUTBOX TEMPLATES YYYY-MM-DD [--warm]
    docautomation's build of REGISTER, in-process (after importing the pipeline, as the
    CLI does): seconds, seconds per stage, files written. --warm imports every module a
    build uses first, as in a watcher or sync process that has built before.
python measure.py documents REGISTER TEMPLATES YYYY-MM-DD OUT.json
    The Word documents a build of REGISTER writes, each with its template and variables,
    for the plain alternative (see word_documents).
python measure.py plain DOCUMENTS.json OUTDIR TEMPLATES
    The plain alternative in-process: each document loaded with docxtpl's DocxTemplate,
    rendered with the same variables the pipeline gives that template, and saved.
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


def word_documents(register: Path, templates: Path, today: date) -> list[dict[str, Any]]:
    """Every Word document a build of `register` writes, as {"template", "name", "context"}.

    Taken from a real build into a temporary outbox: the jobs it hands to the outbox are
    captured, so documents the build gains (the year's other documents) are here as soon as
    the build writes them. A job is a Word document when its path ends in .docx; it names its
    template, and its render callable carries the variables (see _variables).
    """
    import tempfile

    from docautomation import build as pipeline
    from docautomation.config import Settings
    from docautomation.outbox import writer

    captured: list[Any] = []
    write_outputs = writer.write_outputs

    def capture(outbox: Path, jobs: Any, **options: Any) -> Any:
        captured.extend(jobs)
        return write_outputs(outbox, jobs, **options)

    writer.write_outputs = capture  # type: ignore[assignment]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(inbox=register.parent, outbox=Path(tmp), templates=templates)
            pipeline.build([register], settings, today=today)
    finally:
        writer.write_outputs = write_outputs  # type: ignore[assignment]
    return [
        {
            "template": job.template,
            "name": job.path,  # with its folders: a kallelse and its protokoll share a stem
            "context": _variables(job.render),
        }
        for job in captured
        if job.path.endswith(".docx")
    ]


def _variables(render: Any) -> Any:
    """The variables a Word job renders its template with (documents.jobs._Render.context),
    under the wrappers around it (properties._Stamped adds the provenance)."""
    while not hasattr(render, "context"):
        render = render.render
    return render.context


def measure_plain(documents: Path, outdir: Path, templates: Path) -> dict[str, Any]:
    """Time docxtpl load + render (autoescape on, as safe output needs) + save per document.

    Importing docxtpl and reading the documents' variables are not counted.
    """
    from docxtpl import DocxTemplate  # type: ignore[import-untyped]

    docs = json.loads(documents.read_text(encoding="utf-8"))
    outdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for doc in docs:
        document = DocxTemplate(templates / doc["template"])
        document.render(doc["context"], autoescape=True)
        target = outdir / doc["name"]
        target.parent.mkdir(parents=True, exist_ok=True)
        document.save(target)
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
    mode, *args = argv
    if mode == "documents":
        register, templates, day, target = args
        found = word_documents(Path(register), Path(templates), date.fromisoformat(day))
        Path(target).write_text(json.dumps(found, ensure_ascii=False), encoding="utf-8")
        result: dict[str, Any] = {"documents": len(found)}
    elif mode == "plain":
        documents, out, templates = (Path(arg) for arg in args)
        result = measure_plain(documents, out, templates)
    else:
        register, out, templates, day, *flags = args
        paths = (Path(register), Path(out), Path(templates))
        result = measure_build(*paths, date.fromisoformat(day), warm="--warm" in flags)
    result["peak_mb"] = peak_rss_mb()
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
