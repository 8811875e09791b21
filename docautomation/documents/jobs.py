"""Which Word documents a register gives: stable outbox names, content keys, and their rendering.

Outbox layout, relative to the outbox, "/"-separated:
    <år>/Verksamhetsplan <år>.docx
    <år>/Kallelser/<YYYY-MM-DD> <Mötestyp>.docx       (one per meeting)
    <år>/Önskemål till <Leverantör> <år>.docx
    <år>/Verksamhetsberättelse <år>.docx
    <år>/Protokoll/<YYYY-MM-DD> <Mötestyp>.docx       (a draft per meeting)

Each job's key is the SHA-256 of exactly what its document is made from: the variables it
shows (documents.contexts), the template file's bytes, the date written into its properties and
RENDER_VERSION. Templates are read once per call and compiled once, on the first render.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Any

from ..config import SHIPPED_TEMPLATES, Limits
from ..errors import TemplateError, UnknownVariableError
from ..fileio import swedish_reason
from ..models import (
    DocumentJob,
    Meeting,
    MeetingType,
    Ranking,
    Register,
    ReportChanges,
    WishStatus,
)
from ..text import printable
from .annual import AnnualVersion, annual_context, annual_version
from .charts import StatusChart
from .check import unknown_variables
from .contexts import (
    ANNUAL_TEMPLATE,
    MINUTES_TEMPLATE,
    NOTICE_TEMPLATE,
    PLAN_TEMPLATE,
    REPORT_TEMPLATE,
    TEMPLATE_NAMES,
    notice_context,
    plan_context,
    report_chart,
    report_context,
    sending_date,
)
from .docxzip import ZipEntry, zip_entries
from .engine import WordTemplate, make_environment
from .formatting import kallelse_names, safe_filename
from .minutes import minutes_context, paragraph_starts
from .package import Package

DEFAULT_LIMITS = Limits()

# Bump whenever the rendering code changes what a document looks like, so every key changes.
RENDER_VERSION = "docautomation-render/2"

log = logging.getLogger(__name__)


class TemplateSet:
    """The build's templates: bytes read once, each compiled on first use and shared by all jobs."""

    def __init__(self, sources: Mapping[str, bytes], limits: Limits = DEFAULT_LIMITS) -> None:
        self._sources = dict(sources)
        self._limits = limits
        self._compiled: dict[str, WordTemplate] = {}

    @classmethod
    def read(
        cls, directory: Path, names: Sequence[str] = TEMPLATE_NAMES, limits: Limits = DEFAULT_LIMITS
    ) -> TemplateSet:
        """Read the templates `names` from `directory`; TemplateError when one is missing.

        A template the tool gained after the working folder was set up (the folder has the
        others) is taken from the shipped ones, with a warning, so an upgrade does not stop
        every build until someone runs `init`. `limits` bounds the time and size of each render
        (render_* in docautomation.toml).
        """
        sources = {}
        set_up = any((directory / name).is_file() for name in names)
        for name in names:
            path = directory / name
            if set_up and not path.exists() and (SHIPPED_TEMPLATES / name).is_file():
                log.warning(
                    'Mallen "%s" saknas i %s; den medföljande används. Kör "docautomation init" '
                    "för att lägga till den.",
                    name,
                    directory,
                )
                path = SHIPPED_TEMPLATES / name
            try:
                sources[name] = path.read_bytes()
            except FileNotFoundError as exc:
                raise TemplateError(
                    f'Mallen "{name}" saknas i mappen {directory}. Kör "docautomation init" '
                    "för en arbetsmapp med mallarna, eller ange mallmappen (templates) i "
                    "docautomation.toml."
                ) from exc
            except OSError as exc:
                raise TemplateError(
                    f'Mallen "{name}" kan inte läsas: {swedish_reason(exc)}.'
                ) from exc
        return cls(sources, limits)

    def digest(self, name: str) -> str:
        """SHA-256 of the template file's bytes."""
        return hashlib.sha256(self._sources[name]).hexdigest()

    def get(self, name: str) -> WordTemplate:
        """The compiled template (compiled on first use); TemplateError names tag and file."""
        if name not in self._compiled:
            self._compiled[name] = WordTemplate.from_bytes(
                name, self._sources[name], make_environment(self._limits)
            )
        return self._compiled[name]


@dataclass(frozen=True, slots=True)
class _Render:
    """A job's render callable: template + variables + properties date → .docx bytes."""

    templates: TemplateSet
    template: str
    context: Mapping[str, Any]
    title: str
    when: date
    chart: StatusChart | None = None

    def __call__(self) -> bytes:
        return zip_entries(self.entries())

    def entries(self) -> list[ZipEntry]:
        """The document's zip members (stamping adds its properties before zipping once)."""
        # The title holds the Leverantör, straight from a cell: the one rule for output text.
        entries = self.templates.get(self.template).render_entries(
            self.context, title=printable(self.title), when=self.when
        )
        if self.chart is None:
            return entries
        return Package.open(self.chart.attach(zip_entries(entries), self.template)).entries({})

    def key(self) -> tuple[str, int]:
        """The job's key, and the length of what it hashes (a measure of the work to render)."""
        payload = [
            RENDER_VERSION,
            self.template,
            self.templates.digest(self.template),
            self.title,
            self.when.isoformat(),
            self.context,
            self.chart.as_json() if self.chart else None,
        ]
        text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest(), len(text)


def document_jobs(
    register: Register,
    ranking: Ranking,
    *,
    templates_dir: Path,
    today: date,
    report_date: date | None = None,
    changes: ReportChanges | None = None,
    annual: AnnualVersion | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> list[DocumentJob]:
    """The Word documents for one register: plan, one kallelse per meeting, supplier report,
    Verksamhetsberättelse, one protokoll draft per meeting.

    Args:
        register: the validated register (no errors); its Verksamhetsår must be known.
        ranking: the ranked önskemål of that register.
        templates_dir: folder holding the templates (contexts.TEMPLATE_NAMES).
        today: the build's date; the report's date when `report_date` is not given, and
            the Verksamhetsberättelse's when `annual` is not.
        report_date: the date the report's current version was written (history decides).
        changes: what changed since the previous report; None when there is no earlier report.
        annual: the Verksamhetsberättelse's current version (history decides its date).
        limits: bounds on each render's time and size (a runaway template stops, named).

    Returns:
        Jobs in a stable order; nothing is rendered until a job's `render` is called.

    Raises:
        TemplateError: a template is missing or unreadable.
    """
    year = register.association.year
    if year is None:
        raise ValueError("document_jobs needs a register whose Verksamhetsår is known")
    templates = TemplateSet.read(templates_dir, limits=limits)
    supplier = register.association.supplier.strip() or "leverantören"
    renders = [
        (
            f"{year}/Verksamhetsplan {year}.docx",
            _Render(
                templates,
                PLAN_TEMPLATE,
                plan_context(register),
                f"Verksamhetsplan {year}",
                date(year, 1, 1),
            ),
        )
    ]
    for meeting, stem in kallelse_names(register.meetings):
        context = notice_context(register, meeting)
        renders.append(
            (
                f"{year}/Kallelser/{stem}.docx",
                _Render(
                    templates,
                    NOTICE_TEMPLATE,
                    context,
                    f"{context['meeting']['title']} {context['meeting']['date_iso']}",
                    _notice_day(register, meeting),
                ),
            )
        )
    when = report_date or today
    chart = report_chart(register, ranking)
    renders.append(
        (
            f"{year}/Önskemål till {safe_filename(supplier)} {year}.docx",
            _Render(
                templates,
                REPORT_TEMPLATE,
                report_context(register, ranking, when, changes, chart),
                f"Önskemål till {supplier} {year}",
                when,
                chart,
            ),
        )
    )
    renders += _year_renders(register, templates, annual or annual_version(register, today))
    jobs = []
    for path, render in renders:
        key, weight = render.key()
        digest = templates.digest(render.template)
        prepare = functools.partial(templates.get, render.template)
        jobs.append(DocumentJob(path, key, render, render.template, digest, weight, prepare))
    return jobs


def _year_renders(
    register: Register, templates: TemplateSet, annual: AnnualVersion
) -> list[tuple[str, _Render]]:
    """The Verksamhetsberättelse and a protokoll draft per meeting (§ numbers from the year)."""
    year = register.association.year
    renders = [
        (
            f"{year}/Verksamhetsberättelse {year}.docx",
            _Render(
                templates,
                ANNUAL_TEMPLATE,
                annual.context(),
                f"Verksamhetsberättelse {year}",
                annual.day,
            ),
        )
    ]
    named = kallelse_names(register.meetings)
    starts = paragraph_starts([m for m, _ in named], register.association.running_numbers)
    for (meeting, stem), first in zip(named, starts, strict=True):
        assert meeting.date is not None
        context = minutes_context(register, meeting, first)
        title = f"Protokoll {context['meeting']['type'].lower()} {context['meeting']['date_iso']}"
        renders.append(
            (
                f"{year}/Protokoll/{stem}.docx",
                _Render(templates, MINUTES_TEMPLATE, context, title, meeting.date),
            )
        )
    return renders


def _notice_day(register: Register, meeting: Meeting) -> date:
    assert meeting.date is not None
    return sending_date(register, meeting) or meeting.date


# ---------------------------------------------------------------------------------------------
# docautomation templates check
# ---------------------------------------------------------------------------------------------


def check_templates(
    templates_dir: Path, register: Register, ranking: Ranking, limits: Limits = DEFAULT_LIMITS
) -> list[str]:
    """Compile and render every template against `register`; an empty list means all is well.

    Reports, one Swedish line each: missing or unreadable templates, syntax errors, variables
    a template uses that its documents do not have (also in branches the register does not
    reach; each once), work past `limits`, and any other error while rendering — each naming
    the template and the tag.
    """
    problems: list[str] = []
    year = register.association.year or date.today().year
    for name, contexts in sample_contexts(register, ranking).items():
        unknown: list[UnknownVariableError] = []
        try:
            template = TemplateSet.read(templates_dir, (name,), limits).get(name)
            unknown = unknown_variables(template, contexts)
            problems += map(str, unknown)
            for context in contexts:
                template.render(context, title=name, when=date(year, 1, 1))
        except UnknownVariableError as exc:
            if exc.variable not in {u.variable for u in unknown}:
                problems.append(str(exc))
        except TemplateError as exc:
            problems.append(str(exc))
    return list(dict.fromkeys(problems))


def sample_contexts(register: Register, ranking: Ranking) -> dict[str, list[dict[str, Any]]]:
    """Contexts that reach every branch of the templates, from `register` (the example's for
    `templates fields`): one kallelse and protokoll per meeting type, the report without and
    with changes, the Verksamhetsberättelse before and after the year's meetings."""
    year = register.association.year or date.today().year
    by_type: dict[MeetingType | None, Meeting] = {}
    for meeting, _ in kallelse_names(register.meetings):
        by_type.setdefault(meeting.type, meeting)
    meetings = list(by_type.values()) or [
        Meeting(date=date(year, 1, 15), start=time(13), type=MeetingType.STYRELSEMOTE, place="–")
    ]
    report_day = date(year, 1, 1)
    starts = paragraph_starts(meetings, register.association.running_numbers)
    chart = report_chart(register, ranking)
    return {
        PLAN_TEMPLATE: [plan_context(register)],
        NOTICE_TEMPLATE: [notice_context(register, m) for m in meetings],
        REPORT_TEMPLATE: [
            report_context(register, ranking, report_day, None, chart),
            report_context(register, ranking, report_day, _sample_changes(ranking, year), chart),
        ],
        # Early in the year nothing is held yet, at its end everything is: both branches.
        ANNUAL_TEMPLATE: [
            annual_context(register, report_day),
            annual_context(register, date(year, 12, 31)),
        ],
        MINUTES_TEMPLATE: [
            minutes_context(register, m, first) for m, first in zip(meetings, starts, strict=True)
        ],
    }


def _sample_changes(ranking: Ranking, year: int) -> ReportChanges:
    """Changes since a report the year before, of the example's own wishes."""
    labels = [f"{r.wish.id} {r.wish.title}" for r in ranking.ranked[:3]] or ["ÖNS-001 Exempel"]
    return ReportChanges(
        previous_date=date(year - 1, 12, 1),
        new_wishes=(labels[0],),
        status_changed=((labels[-1], WishStatus.NY, WishStatus.SKICKAD),),
        category_changed=((labels[len(labels) // 2], 4, 2),),
        removed=("ÖNS-099 Ett önskemål som tagits bort",),
    )
