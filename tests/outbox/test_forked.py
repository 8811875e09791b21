"""Tests for outbox.forked: a large build's documents rendered by forked workers."""

from __future__ import annotations

import os
import sys
import threading
from functools import partial

import pytest

from docautomation.errors import TemplateError
from docautomation.models import DocumentJob
from docautomation.outbox.forked import MIN_WEIGHT, render_forked

pytestmark = pytest.mark.skipif(
    sys.platform in ("win32", "darwin"), reason="workers are forked only where that is safe"
)


def _document(number: int) -> bytes:
    return f"dokument {number} från process {os.getpid()}".encode()


def _failing() -> bytes:
    raise TemplateError('Mallen "Kallelse.docx" har ett fel.')


def _jobs(count: int, weight: int) -> list[DocumentJob]:
    return [DocumentJob(f"{n}.docx", f"k{n}", partial(_document, n), weight) for n in range(count)]


def test_a_large_build_is_rendered_by_other_processes_in_job_order() -> None:
    """Every job's bytes come back in job order, rendered outside this process."""
    done: list[int] = []
    rendered = render_forked(_jobs(40, MIN_WEIGHT // 10), done.append)
    assert rendered is not None and len(rendered) == 40 and sum(done) == 40
    assert [data.split(b" fr")[0] for data in rendered] == [b"dokument %d" % n for n in range(40)]
    assert all(not data.endswith(str(os.getpid()).encode()) for data in rendered)


def test_a_small_build_is_left_to_the_caller() -> None:
    """Below the weight at which two processes pay, nothing is forked."""
    assert render_forked(_jobs(40, MIN_WEIGHT // 100), lambda _n: None) is None


def test_a_process_with_other_threads_does_not_fork() -> None:
    """A watcher runs threads; forking it could deadlock a worker, so it renders itself."""
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert render_forked(_jobs(40, MIN_WEIGHT), lambda _n: None) is None
    finally:
        stop.set()
        other.join()


def test_a_template_error_in_a_worker_reaches_the_caller() -> None:
    """The first failing job's TemplateError is raised here, as a sequential render would."""
    jobs = [*_jobs(10, MIN_WEIGHT // 5), DocumentJob("fel.docx", "k", _failing, MIN_WEIGHT)]
    with pytest.raises(TemplateError, match="Kallelse.docx"):
        render_forked(jobs, lambda _n: None)


def _dying() -> bytes:
    os._exit(3)  # a worker killed mid-render (out of memory, say)


def test_a_dead_worker_leaves_the_rendering_to_the_caller() -> None:
    """A worker that dies breaks the pool: None, so the build renders the jobs itself."""
    jobs = [*_jobs(10, MIN_WEIGHT // 5), DocumentJob("död.docx", "k", _dying, MIN_WEIGHT)]
    assert render_forked(jobs, lambda _n: None) is None
