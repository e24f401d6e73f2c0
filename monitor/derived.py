"""Derived indicators: a formula over other indicators, e.g. SGB-II-Quote.

``sgb2 = beneficiaries / residents * 100`` is computed for every area and period in
which all its inputs are stored. Formulas are parsed with :mod:`ast` and only a
whitelist is allowed: numbers, indicator keys (dotted keys such as
``age_groups.age_0_to_under_7`` are fine), ``+ - * /``, unary minus and brackets. No
``eval``: names, calls, attributes outside a key, subscripts and everything else are
refused with :class:`geo.errors.FormulaError`.

A formula of the form ``A / B`` or ``A / B * 100`` (or ``* 1000``) makes the indicator
a rate with numerator ``A`` and denominator ``B``, so it aggregates as ΣA ÷ ΣB.
An input that is suppressed or missing makes the result ``missing`` with the note
``inputs_without_number <keys>``; a division by zero gives the note ``division_by_zero``.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from geo.errors import FormulaError
from monitor.model import Indicator, Value
from monitor.store import MonitorStore, WriteCounts

_BINOPS: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_UNARY: dict[type[ast.unaryop], Callable[[float], float]] = {
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}


def _key(node: ast.AST) -> str | None:
    """``a.b.c`` as one indicator key, or None when the node is not a plain dotted name."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _key(node.value)
        return None if inner is None else f"{inner}.{node.attr}"
    return None


@dataclass(frozen=True)
class Formula:
    """A parsed formula: ``text``, the indicator keys it reads (``names``, in order of
    appearance) and, for ``A / B [* k]``, the rate's ``numerator`` and ``denominator``."""

    text: str
    tree: ast.Expression
    names: tuple[str, ...]
    numerator: str = ""
    denominator: str = ""

    def evaluate(self, values: Mapping[str, float]) -> float:
        """The formula's value for one area and period; ZeroDivisionError on ``/ 0``."""
        return _eval(self.tree.body, values)


def _eval(node: ast.AST, values: Mapping[str, float]) -> float:
    if isinstance(node, ast.Constant):
        return float(node.value)
    key = _key(node)
    if key is not None:
        return float(values[key])
    if isinstance(node, ast.BinOp):
        return _BINOPS[type(node.op)](_eval(node.left, values), _eval(node.right, values))
    if isinstance(node, ast.UnaryOp):
        return _UNARY[type(node.op)](_eval(node.operand, values))
    raise FormulaError(f"unsupported expression {ast.dump(node)}")  # checked in parse


def parse_formula(text: str) -> Formula:
    """Parse and check a formula (see the module docstring).

    Raises
    ------
    FormulaError
        Syntax errors and anything outside the whitelist, with the offending part.
    """
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise FormulaError(
            f"formula {text!r} is not valid: {exc.msg}. Use indicator keys, numbers, "
            "+ - * / and brackets, e.g. sgb2 / residents * 100."
        ) from exc
    names: list[str] = []

    def check(node: ast.AST) -> None:
        key = _key(node)
        if key is not None:
            if key not in names:
                names.append(key)
            return
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                raise FormulaError(
                    f"formula {text!r}: only numbers are allowed, not {node.value!r}."
                )
            return
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            check(node.left)
            check(node.right)
            return
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            check(node.operand)
            return
        part = ast.get_source_segment(text.strip(), node) or type(node).__name__
        raise FormulaError(
            f"formula {text!r}: {part!r} is not allowed; use indicator keys, numbers, "
            "+ - * / and brackets."
        )

    check(tree.body)
    if not names:
        raise FormulaError(f"formula {text!r} names no indicator.")
    num = den = ""
    body = tree.body
    if (
        isinstance(body, ast.BinOp)
        and isinstance(body.op, ast.Mult)
        and isinstance(body.right, ast.Constant)
    ):
        body = body.left
    if isinstance(body, ast.BinOp) and isinstance(body.op, ast.Div):
        a, b = _key(body.left), _key(body.right)
        if a and b:
            num, den = a, b
    return Formula(text.strip(), tree, tuple(names), num, den)


def compute_derived(formula: Formula, key: str, values: pd.DataFrame) -> list[Value]:
    """The derived values for every level, area and period where all inputs are stored.

    Parameters
    ----------
    formula : Formula
    key : str
        The derived indicator's key.
    values : DataFrame
        Stored values (``MonitorStore.values()`` columns).
    """
    sub = values[values["indicator"].isin(formula.names)]
    out: list[Value] = []
    for (level, area, period), grp in sub.groupby(["level", "area_key", "period"], sort=True):
        got = dict(zip(grp["indicator"], grp["value"], strict=True))
        if set(got) != set(formula.names):
            continue  # an input is not stored for this area and period
        gaps = [n for n in formula.names if got[n] is None or math.isnan(got[n])]
        if gaps:
            note = f"inputs_without_number {','.join(gaps)}"
            out.append(Value(str(level), str(area), key, str(period), None, "missing", None, note))
            continue
        status = "estimated" if (grp["status"] == "estimated").any() else "measured"
        try:
            result = formula.evaluate(got)
        except ZeroDivisionError:
            note = "division_by_zero"
            out.append(Value(str(level), str(area), key, str(period), None, "missing", None, note))
            continue
        out.append(Value(str(level), str(area), key, str(period), result, status, None, ""))
    return out


def define_derived(
    store: MonitorStore,
    *,
    key: str,
    formula: str,
    label_de: str,
    user: str,
    label_en: str = "",
    unit: str = "%",
    domain: str = "Soziale Lage",
    polarity: str = "neutral",
    definition: str = "",
) -> tuple[Indicator, WriteCounts]:
    """Define (or redefine) a derived indicator and store its values (one transaction).

    Raises
    ------
    FormulaError
        Invalid formula, or an input that the store does not know, or ``key`` among
        its own inputs.
    """
    parsed = parse_formula(formula)
    known = {i.key for i in store.indicators()}
    unknown = [n for n in parsed.names if n not in known]
    if unknown:
        raise FormulaError(
            f"formula {formula!r} reads unknown indicator(s) {', '.join(unknown)}; "
            "import them first or check the keys."
        )
    if key in parsed.names:
        raise FormulaError(f"the derived indicator {key!r} cannot read itself.")
    ind = Indicator(
        key=key,
        label_de=label_de,
        label_en=label_en or label_de,
        unit=unit,
        definition=definition or f"{label_de} = {parsed.text}",
        domain=domain,
        polarity=polarity,
        source="abgeleitet: " + parsed.text,
        numerator=parsed.numerator,
        denominator=parsed.denominator,
        formula=parsed.text,
    )
    vals = compute_derived(parsed, key, store.values())
    counts = store.write_values(vals, user=user, source=f"formula {key}", indicators=[ind])
    return ind, counts
