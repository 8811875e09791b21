"""Tests for memory: a build's settled objects are set aside from the collector, then returned."""

from __future__ import annotations

import gc

from docautomation.memory import build_scope, settle


def test_what_a_build_set_aside_is_given_back_when_it_ends() -> None:
    """Inside a scope, settled objects are frozen; the outermost scope's end unfreezes them
    (a watcher builds for months, and what a build made must become collectable)."""
    assert gc.get_freeze_count() == 0
    with build_scope():
        settle()
        frozen = gc.get_freeze_count()
        assert frozen > 0
        with build_scope():  # the forked renderer's scope inside a build's
            settle()
        assert gc.get_freeze_count() >= frozen  # the inner scope gave nothing back
    assert gc.get_freeze_count() == 0


def test_an_error_inside_the_scope_still_gives_everything_back() -> None:
    try:
        with build_scope():
            settle()
            raise RuntimeError("bygget avbröts")
    except RuntimeError:
        pass
    assert gc.get_freeze_count() == 0


def test_settling_outside_a_build_sets_nothing_aside() -> None:
    """`validate` reads a register without a build around it: nothing would give its objects
    back, so nothing is frozen."""
    settle()
    assert gc.get_freeze_count() == 0
