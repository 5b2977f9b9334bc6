"""dlcore.formula: ordinary formulas compile to torch, hostile ones are refused."""

from __future__ import annotations

import builtins
import math
import sys

import pytest
import torch

from dlcore import formula
from dlcore.formula import FormulaError

X = torch.linspace(-2, 2, 7, dtype=torch.float64)
Y = torch.linspace(1, 3, 7, dtype=torch.float64)


@pytest.fixture
def no_eval(monkeypatch):
    """dlcore.formula must never call eval or exec (ast.parse only builds a tree)."""
    for name in ("eval", "exec"):
        original = getattr(builtins, name)

        def guarded(*args, _original=original, **kwargs):
            caller = sys._getframe(1).f_globals.get("__name__", "")
            assert caller != "dlcore.formula", "dlcore.formula called eval or exec"
            return _original(*args, **kwargs)

        monkeypatch.setattr(builtins, name, guarded)


def test_the_example_formula_compiles_and_differentiates(no_eval):
    f = formula.parse("x**2 + 3*sin(y)")
    torch.testing.assert_close(f(X, Y), X ** 2 + 3 * torch.sin(Y))
    p = torch.tensor([1.5, 0.25], dtype=torch.float64, requires_grad=True)
    f(p[0], p[1]).backward()
    torch.testing.assert_close(p.grad, torch.tensor([3.0, 3 * math.cos(0.25)],
                                                    dtype=torch.float64))


@pytest.mark.parametrize("text,expected", [
    ("-x**2 + y", lambda x, y: -(x ** 2) + y),
    ("exp(-(x*x + y*y)/2) * cos(pi*x)", lambda x, y: torch.exp(-(x * x + y * y) / 2)
     * torch.cos(math.pi * x)),
    ("max(abs(x), y) - min(x, 0.5*y) + e", lambda x, y: torch.maximum(x.abs(), y)
     - torch.minimum(x, 0.5 * y) + math.e),
    ("(1 - x)**2 + 100*(y - x**2)**2", lambda x, y: (1 - x) ** 2 + 100 * (y - x ** 2) ** 2),
    ("sqrt(x**2 + 1) + log(y) + tanh(x) + sigmoid(y) + x**-1.5**2", None),
    ("7", lambda x, y: torch.full_like(x, 7.0)),
])
def test_ordinary_formulas_are_accepted(text, expected, no_eval):
    f = formula.parse(text)
    out = f(X, Y)
    assert out.shape == X.shape
    if expected is not None:
        torch.testing.assert_close(out, expected(X, Y))


def test_one_variable_formulas():
    f = formula.parse("x**4 - 3*x**2 + x", variables=("x",))
    torch.testing.assert_close(f(X), X ** 4 - 3 * X ** 2 + X)
    with pytest.raises(FormulaError, match="unknown name 'y'"):
        formula.parse("x + y", variables=("x",))


@pytest.mark.parametrize("text,why", [
    ("__import__('os').system('id')", "attribute"),
    ("__import__('os')", "not a known function"),
    ("().__class__.__bases__[0].__subclasses__()", "attribute"),
    ("x.real", "attribute"),
    ("x[0]", "indexing"),
    ("lambda: 1", "lambda"),
    ("9**9**9", "exponent"),
    ("x**100", "exponent"),
    ("x**(5+6)", "exponent"),
    ("2**x**20", "exponent"),
    ("os", "unknown name"),
    ("open('/etc/passwd')", "not a known function"),
    ("'text'", "not a number"),
    ("x^2", "use \\*\\* for powers"),
    ("2x", "not a formula"),
    ("x" + " + x" * 100, "characters long"),
    ("-" * 180 + "x", "parts"),
    ("sin(x, y)", "takes 1 argument"),
    ("sin(x=1)", "plain arguments"),
    ("x if y else 1", "if/else"),
    ("x < y", "comparison"),
    ("1e400", "out of range"),
    ("True", "not a number"),
    ("[x for x in y]", "comprehension"),
    ("(x := 1)", "assignment"),
    ("", "empty"),
])
def test_hostile_or_broken_formulas_are_refused_with_a_message(text, why, no_eval):
    with pytest.raises(FormulaError, match=why):
        formula.parse(text)


def test_values_that_overflow_give_inf_not_an_exception():
    out = formula.parse("(1e6**10)**10 + 1/0 + x")(X, Y)
    assert torch.isinf(out).all()
