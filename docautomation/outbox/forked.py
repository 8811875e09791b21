"""Rendering a large build's documents on two cores, in forked worker processes.

A forked worker starts with the build's memory: the jobs, their variables and compiled
templates are there without being sent, and only the finished bytes come back. Used where
the platform forks safely (Linux and the BSDs; not Windows, not macOS, whose system
libraries do not survive a fork), the process runs no other threads (forking those is
unsafe: a lock another thread holds stays locked in the worker), two cores are free, and
there is enough to render that starting the workers pays (measured: a 10,000-wish build).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool

from ..memory import build_scope, settle
from ..models import DocumentJob

WORKERS = 2
CHUNK = 8
# The summed weight (the documents' variables as JSON, in characters) from which two
# processes pay: about a report of 500 wishes. Below it, starting the workers costs more.
MIN_WEIGHT = 300_000

log = logging.getLogger(__name__)
_jobs: Sequence[DocumentJob] = ()  # the jobs the forked workers render, set before forking


def render_forked(jobs: Sequence[DocumentJob], done: Callable[[int, bytes], None]) -> bool:
    """Render every job in forked workers, largest first, handing each job's index and bytes
    to `done` as they come back; False when that does not pay or cannot be done here, or a
    worker died: the caller then renders the jobs `done` was not given.

    A job's exception (a TemplateError) reaches the caller as if it were raised here. `done`
    runs in this process's main thread; it may start threads (workers are all forked first).
    """
    if not _worthwhile(jobs):
        return False
    for prepare in {job.template: job.prepare for job in jobs if job.prepare}.values():
        prepare()  # compiled once here, not once in every worker
    global _jobs
    _jobs = jobs
    with build_scope():
        settle()  # the workers' collections then leave the inherited objects (and pages) alone
        context = multiprocessing.get_context("fork")
        pool = ProcessPoolExecutor(WORKERS, mp_context=context)
        try:
            # A fork-context pool forks all its workers at the first submit: before `done`
            # can have started a thread. Results are taken as they finish, so the documents
            # after a long one are staged while it still renders.
            pending = [pool.submit(_render_all, chunk) for chunk in _chunks(jobs)]
            for future in as_completed(pending):
                for index, data in future.result():
                    done(index, data)
            return True
        except (BrokenProcessPool, OSError):  # a worker died (out of memory?) or did not start
            log.warning("Arbetsprocesserna avbröts; dokumenten skapas i en enda process.")
            return False
        finally:
            pool.shutdown(wait=True, cancel_futures=True)  # after an error: render no more
            _jobs = ()


def _chunks(jobs: Sequence[DocumentJob]) -> list[list[int]]:
    """Job indexes in groups for the workers, largest jobs first; a group holds up to CHUNK
    jobs (fewer messages between the processes) but no more than a fiftieth of the weight,
    so a report of thousands of wishes is rendered alone and the small jobs flow past it."""
    order = sorted(range(len(jobs)), key=lambda i: -jobs[i].weight)
    limit = sum(job.weight for job in jobs) / 50
    chunks: list[list[int]] = []
    weight = 0
    for index in order:
        if not chunks or len(chunks[-1]) == CHUNK or weight + jobs[index].weight > limit:
            chunks.append([])
            weight = 0
        chunks[-1].append(index)
        weight += jobs[index].weight
    return chunks


def _worthwhile(jobs: Sequence[DocumentJob]) -> bool:
    return (
        len(jobs) > 1
        and sum(job.weight for job in jobs) >= MIN_WEIGHT
        and "fork" in multiprocessing.get_all_start_methods()
        and sys.platform != "darwin"
        and _free_cores() >= WORKERS
        and threading.active_count() == 1
    )


def _free_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS has no affinity call
        return os.cpu_count() or 1


def _render_all(indexes: Sequence[int]) -> list[tuple[int, bytes]]:
    return [(index, _jobs[index].render()) for index in indexes]
