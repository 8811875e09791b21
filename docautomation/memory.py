"""Keeping the garbage collector away from a build's long-lived objects."""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_scopes = 0  # build scopes open now, in any thread


@contextlib.contextmanager
def build_scope() -> Iterator[None]:
    """One build: the objects `settle` set aside during it are given back to the collector
    when it ends (a watcher builds for months; what a build made must be collectable then).

    Nested scopes (the forked renderer inside a build) leave the give-back to the outermost.
    """
    global _scopes
    with _lock:
        _scopes += 1
    try:
        yield
    finally:
        with _lock:
            _scopes -= 1
            if _scopes == 0:
                gc.unfreeze()


def settle() -> None:
    """Set every object that exists now aside from the cyclic garbage collector, inside a
    build_scope (outside one, nothing would ever give them back: it does nothing).

    A large register becomes hundreds of thousands of objects (cells, rows, records, the
    documents' variables) that live until the build ends, and each full collection scans them
    all again: measured 0.6 s of a 10,000-wish build, 0.2 s once they are set aside as each
    stage's results settle. Only cycles among them wait for the scope's end; memory freed by
    reference counting is freed as always.
    """
    with _lock:
        if _scopes:
            gc.freeze()


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No automatic collections while a stage creates objects that all stay alive: each one
    would re-scan everything made so far (reading and checking a large register made 20 of
    them, 0.3 s). Call `settle` at the end of the block, or the first collection after it
    scans them all anyway.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
