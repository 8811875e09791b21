"""The Jinja sandbox documents render in: escaping, strict names, and bounds on time and size.

Jinja's own sandbox stops a template from reaching Python, but not from working forever or
building gigabytes. Here every loop step, call, filter and operator counts against a deadline,
and whatever a template builds (a string, a list, a number, the part it renders) is measured:
before the step when one small step could build something huge ('x' * 10**9, a join, a width),
right after it otherwise. Past a bound, LimitExceeded stops the render with a Swedish reason.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import itertools
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, cast

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.runtime import LoopContext
from jinja2.sandbox import SandboxedEnvironment

from ..config import Limits
from ..swedish import count
from .sizes import MAX_INT_BITS, MAX_INT_DIGITS, call_size, filter_size, int_bits, text_size

_CHECK_CLOCK_EVERY = 512  # steps between looks at the clock (each look costs ~50 ns)
_BATCH = 4096  # output chunks joined at a time while counting a part's size
_COUNTED = nodes.EnvironmentAttribute("bounded_iterable")  # no template can write this node


class LimitExceeded(Exception):
    """A template went past a bound; str() is the Swedish reason, with the setting to raise."""


@dataclass(slots=True)
class _Budget:
    deadline: float
    countdown: int = _CHECK_CLOCK_EVERY


_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar(
    "docautomation_render_budget", default=None
)


def _seconds(value: float) -> str:
    if float(value).is_integer():
        return count(int(value), "sekund")
    return f"{value:g} sekunder".replace(".", ",")


def _number(value: float) -> str:
    return f"{value:,.0f}".replace(",", "\u00a0")


class _Steps:
    """An iterable that counts each step against the render's budget; keeps len() for loop."""

    __slots__ = ("_items", "_tick")

    def __init__(self, items: Any, tick: Callable[[], None]) -> None:
        self._items = items
        self._tick = tick

    def __iter__(self) -> Iterator[Any]:
        tick = self._tick
        for item in self._items:
            tick()
            yield item

    def __len__(self) -> int:
        return len(self._items)  # TypeError for a generator, which LoopContext expects


class _BoundedCodeGenerator(CodeGenerator):
    """Jinja's code generator, with each loop's steps counted and each ~ operand measured."""

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        counted = nodes.Call(_COUNTED, [node.iter], [], None, None, lineno=node.iter.lineno)
        node.iter = counted
        super().visit_For(node, frame)

    def visit_Call(self, node: nodes.Call, frame: Frame, forward_caller: bool = False) -> None:
        if node.node is _COUNTED:  # ours: a direct call, not through the sandbox's checks
            self.write("environment.bounded_iterable(")
            self.visit(node.args[0], frame)
            self.write(")")
            return
        super().visit_Call(node, frame, forward_caller=forward_caller)

    @optimizeconst
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        # As Jinja's own, with every operand measured before it becomes text.
        if frame.eval_ctx.volatile:
            join = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            join = "markup_join"
        else:
            join = "str_join"
        self.write(f"environment.checked({join}((")
        for arg in node.nodes:
            self.write("environment.checked_operand(")
            self.visit(arg, frame)
            self.write("), ")
        self.write(")))")


_DICT_ATTRIBUTES = frozenset(dir(dict))


class DocumentEnvironment(SandboxedEnvironment):
    """The one Jinja environment for documents: sandboxed, escaping, strict, bounded."""

    code_generator_class = _BoundedCodeGenerator
    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, limits: Limits) -> None:
        super().__init__(autoescape=True, undefined=jinja2.StrictUndefined)
        self.limits = limits
        self.max_chars = limits.render_max_chars
        self.finalize = self.checked_output
        self.filters = {name: self._bounded_filter(name, f) for name, f in self.filters.items()}

    def getattr(self, obj: Any, attribute: str) -> Any:
        """`wish.title` on a plain dict of a document's variables: the item, at once.

        The sandbox first tries the attribute and fails, which was a third of rendering a
        report of 10,000 wishes. A key named like a dict method still gives the method, as
        in Jinja.
        """
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)

    @contextlib.contextmanager
    def budget(self) -> Iterator[None]:
        """Time one document's render against render_seconds (nested uses share the outer)."""
        if _BUDGET.get() is not None:
            yield
            return
        token = _BUDGET.set(_Budget(time.monotonic() + self.limits.render_seconds))
        try:
            yield
        finally:
            _BUDGET.reset(token)

    def render_part(self, template: jinja2.Template, context: Mapping[str, Any]) -> str:
        """Render `template`, stopping once its output passes render_max_document_mb.

        As Template.render, but joining the output a batch at a time to measure it.
        """
        limit = self.limits.render_max_document_mb * 1_000_000
        chunks = cast(
            Generator[str, None, None],
            template.root_render_func(template.new_context(dict(context))),
        )
        joined, size = [], 0
        try:
            for batch in iter(lambda: list(itertools.islice(chunks, _BATCH)), []):
                text = "".join(batch)
                size += len(text)
                joined.append(text)
                if size > limit:
                    # thrown into the template, so its traceback shows the line it had reached
                    chunks.throw(self._too_big_document())
        except Exception:  # noqa: BLE001 - as Template.render: any error, rewritten
            self.handle_exception()  # re-raises with the template's own line numbers
        return "".join(joined)

    def _too_big_document(self) -> LimitExceeded:
        return LimitExceeded(
            f"den blir större än {self.limits.render_max_document_mb:g} MB "
            "(render_max_document_mb under [limits] i docautomation.toml)"
        )

    # -- hooks the generated code calls --------------------------------------------------------

    def tick(self) -> None:
        """One step of work: look at the clock every few hundred steps."""
        budget = _BUDGET.get()
        if budget is None:
            return
        budget.countdown -= 1
        if budget.countdown > 0:
            return
        budget.countdown = _CHECK_CLOCK_EVERY
        if time.monotonic() > budget.deadline:
            raise LimitExceeded(
                f"den tar längre tid än {_seconds(self.limits.render_seconds)} att fylla i "
                "(render_seconds under [limits] i docautomation.toml)"
            )

    def bounded_iterable(self, iterable: Any) -> _Steps:
        """What a {% for %} loops over, counting each step (see _BoundedCodeGenerator)."""
        return _Steps(iterable, self.tick)

    def checked(self, value: Any) -> Any:
        """`value`, once its size is known to be within the bounds."""
        if isinstance(value, str | list | tuple | dict | set | frozenset):
            if len(value) > self.max_chars:
                raise self.too_big(value)
        elif isinstance(value, int) and int_bits(value) > MAX_INT_BITS:
            raise self.too_big(value)
        return value

    def checked_output(self, value: Any) -> Any:
        """Jinja's finalize: a list or dict printed with {{ }} becomes text, so measure that."""
        if value.__class__ is str:  # nearly every output: a report prints 125,000 of them
            return value
        if isinstance(value, list | tuple | dict | set | frozenset | jinja2.utils.Namespace):
            self.checked_text_size(text_size(value, self.max_chars))
        return value

    def checked_text_size(self, size: int) -> None:
        """Raise when a text of `size` characters would be too long to build."""
        if size > self.max_chars:
            raise LimitExceeded(
                f"den bygger en text på mer än {_number(self.max_chars)} tecken "
                "(render_max_chars under [limits] i docautomation.toml)"
            )

    def too_big(self, value: Any) -> LimitExceeded:
        if isinstance(value, int):
            return LimitExceeded(
                f"den räknar med ett tal på mer än {_number(MAX_INT_DIGITS)} siffror"
            )
        if isinstance(value, str):
            return LimitExceeded(
                f"den bygger en text på mer än {_number(self.max_chars)} tecken "
                "(render_max_chars under [limits] i docautomation.toml)"
            )
        return LimitExceeded(
            f"den bygger en lista med mer än {_number(self.max_chars)} poster "
            "(render_max_chars under [limits] i docautomation.toml)"
        )

    def concat(self, parts: Iterable[str]) -> str:
        """Join a block's output ({% set %}…{% endset %}, a macro), measuring it first."""
        self.tick()
        items = parts if isinstance(parts, list) else list(parts)
        self.checked_text_size(sum(map(len, items)))
        return "".join(items)

    def checked_operand(self, value: Any) -> Any:
        """An operand of ~, which str() will turn into text."""
        if not isinstance(value, str):
            self.checked_text_size(text_size(value, self.max_chars))
        return value

    def call_binop(
        self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any
    ) -> Any:
        self.tick()
        if operator in ("*", "**", "%"):
            self._precheck_binop(operator, left, right)
        return self.checked(self.binop_table[operator](left, right))

    def _precheck_binop(self, operator: str, left: Any, right: Any) -> None:
        if operator == "%":
            if isinstance(left, str):
                args = right if isinstance(right, tuple) else (right,)
                self.checked_text_size(call_size("format", left, args, {}, self.max_chars))
            return
        if isinstance(left, bool) or isinstance(right, bool):
            return
        both_ints = isinstance(left, int) and isinstance(right, int)
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                repeated = isinstance(seq, str | list | tuple) and isinstance(times, int)
                if repeated and len(seq) * max(times, 0) > self.max_chars:
                    raise self.too_big(seq)
            if both_ints and int_bits(left) + int_bits(right) > MAX_INT_BITS:
                raise self.too_big(left)
        elif both_ints and right > 0 and abs(left) > 1 and int_bits(left) * right > MAX_INT_BITS:
            raise self.too_big(left)

    def call(self, context: jinja2.runtime.Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        """Every call a template makes: counted, measured before and after."""
        self.tick()
        if isinstance(obj, LoopContext) and args:  # a recursive loop's next level
            args = (self.bounded_iterable(args[0]), *args[1:])
        target = getattr(obj, "__wrapped__", obj)  # str.format as the sandbox wraps it
        owner, name = getattr(target, "__self__", None), getattr(target, "__name__", "")
        self.checked_text_size(call_size(name, owner, args, kwargs, self.max_chars))
        result = super().call(context, obj, *args, **kwargs)
        if isinstance(owner, list | dict | set):  # append, extend, update…: the list grew
            self.checked(owner)
        return self.checked(result)

    def _bounded_filter(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        passes = 1 if getattr(function, "jinja_pass_arg", None) is not None else 0

        @functools.wraps(function)
        def bounded(*args: Any, **kwargs: Any) -> Any:
            self.tick()
            if filter_size(name, args[passes:], kwargs, self.max_chars) > self.max_chars:
                raise self.too_big([] if name in ("batch", "slice") else "")
            return self.checked(function(*args, **kwargs))

        return bounded
