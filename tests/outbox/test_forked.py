"""Tests for outbox.forked: a large build's documents rendered by forked workers."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from functools import partial
from pathlib import Path

import pytest

from docautomation.errors import TemplateError
from docautomation.models import DocumentJob
from docautomation.outbox.forked import CHUNK, MIN_WEIGHT, _chunks, render_forked

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    sys.platform in ("win32", "darwin"), reason="workers are forked only where that is safe"
)


def document(number: int) -> bytes:
    return f"dokument {number} från process {os.getpid()}".encode()


def failing() -> bytes:
    raise TemplateError('Mallen "Kallelse.docx" har ett fel.')


def dying() -> bytes:
    os._exit(3)  # a worker killed mid-render (out of memory, say)


def jobs(count: int, weight: int) -> list[DocumentJob]:
    return [
        DocumentJob(f"{n}.docx", f"k{n}", partial(document, n), weight=weight) for n in range(count)
    ]


def _in_a_fresh_process(code: str) -> str:
    """Run `code` in a new interpreter and return what it printed. pytest's own process may
    hold threads that other tests started, and a process with threads is never forked."""
    prelude = (
        "from docautomation.models import DocumentJob\n"
        "from docautomation.outbox.forked import MIN_WEIGHT, render_forked\n"
        "from tests.outbox.test_forked import dying, failing, jobs\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_large_build_is_rendered_by_other_processes() -> None:
    """Every job's bytes come back once with its index, rendered outside this process."""
    printed = _in_a_fresh_process("""
        import os
        done = {}
        print(render_forked(jobs(40, MIN_WEIGHT // 10), done.__setitem__))
        print(sorted(done) == list(range(40)))
        print(all(data.startswith(f"dokument {n} ".encode()) for n, data in done.items()))
        print(all(not data.endswith(str(os.getpid()).encode()) for data in done.values()))
    """)
    assert printed.splitlines() == ["True", "True", "True", "True"]


def test_what_jobs_share_is_prepared_once_before_the_workers_fork() -> None:
    """Each template's prepare (its compilation) runs once, in this process, so the workers
    inherit it instead of each doing it again."""
    printed = _in_a_fresh_process("""
        import os
        from dataclasses import replace
        made = []
        def compile_template(name):
            made.append((name, os.getpid()))
        work = [
            replace(job, template=f"mall{n % 3}", prepare=lambda n=n: compile_template(f"mall{n % 3}"))
            for n, job in enumerate(jobs(30, MIN_WEIGHT // 10))
        ]
        print(render_forked(work, lambda _n, _data: None))
        print(sorted(name for name, _ in made), {pid for _, pid in made} == {os.getpid()})
    """)
    assert printed.splitlines() == ["True", "['mall0', 'mall1', 'mall2'] True"]


def test_a_template_error_in_a_worker_reaches_the_caller() -> None:
    """The failing job's TemplateError is raised to the caller, as a sequential render would."""
    printed = _in_a_fresh_process("""
        from docautomation.errors import TemplateError
        broken = [*jobs(10, MIN_WEIGHT // 5), DocumentJob("fel.docx", "k", failing, weight=MIN_WEIGHT)]
        try:
            render_forked(broken, lambda _n, _data: None)
        except TemplateError as exc:
            print(exc)
    """)
    assert printed == 'Mallen "Kallelse.docx" har ett fel.'


def test_a_dead_worker_leaves_the_rendering_to_the_caller() -> None:
    """A worker that dies breaks the pool: False, so the build renders the jobs it lacks."""
    printed = _in_a_fresh_process("""
        dead = [*jobs(10, MIN_WEIGHT // 5), DocumentJob("död.docx", "k", dying, weight=MIN_WEIGHT)]
        print(render_forked(dead, lambda _n, _data: None))
    """)
    assert printed == "False"


def test_a_small_build_is_left_to_the_caller() -> None:
    """Below the weight at which two processes pay, nothing is forked."""
    assert render_forked(jobs(40, MIN_WEIGHT // 100), lambda _n, _data: None) is False


def test_a_process_with_other_threads_does_not_fork() -> None:
    """A watcher runs threads; forking it could deadlock a worker, so it renders itself."""
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert render_forked(jobs(40, MIN_WEIGHT), lambda _n, _data: None) is False
    finally:
        stop.set()
        other.join()


def test_a_long_document_is_rendered_alone_and_the_small_ones_flow_past_it() -> None:
    """Largest first; a report far heavier than the rest gets a group of its own, the rest go
    in groups of at most CHUNK, every job exactly once."""
    work = [*jobs(30, 100), DocumentJob("rapport.docx", "k", partial(document, 99), weight=50_000)]
    groups = _chunks(work)
    assert groups[0] == [30]
    assert all(0 < len(group) <= CHUNK for group in groups)
    assert sorted(i for group in groups for i in group) == list(range(31))
