"""A loss typed as a formula in x and y, parsed safely into a torch function.

The text is parsed by Python's own grammar (:func:`ast.parse`, which only builds a
tree and runs nothing) and the tree is checked against a whitelist: numbers, the
variables, ``+ - * / **``, unary minus, a fixed set of functions and the constants
``pi`` and ``e``. Everything else (names, attributes, subscripts, lambdas, strings,
keywords, comparisons) is refused with a message, and so are overlong input, deep
nesting and exponents beyond :data:`MAX_EXPONENT`. The checked tree is compiled into
nested closures over torch operations, so autograd differentiates it; nothing is ever
passed to ``eval`` or ``exec``.

Reference: the grammar is Python's (https://docs.python.org/3/library/ast.html); the
whitelist approach follows the "safe expression evaluator" pattern of
``ast.literal_eval`` extended with arithmetic.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor

MAX_LENGTH = 200  # characters
MAX_NODES = 150  # tree nodes
MAX_DEPTH = 30  # nesting
MAX_EXPONENT = 10.0  # |exponent| of a constant power
MAX_NUMBER = 1e6  # |literal|

FUNCTIONS: dict[str, Callable[..., Tensor]] = {
    "sin": torch.sin, "cos": torch.cos, "tan": torch.tan,
    "asin": torch.asin, "acos": torch.acos, "atan": torch.atan,
    "sinh": torch.sinh, "cosh": torch.cosh, "tanh": torch.tanh,
    "exp": torch.exp, "log": torch.log, "log1p": torch.log1p, "sqrt": torch.sqrt,
    "abs": torch.abs, "sigmoid": torch.sigmoid, "relu": torch.relu,
    "softplus": torch.nn.functional.softplus,
    "min": torch.minimum, "max": torch.maximum,
}
ARITY = {"min": 2, "max": 2}  # every other function takes one argument
CONSTANTS = {"pi": math.pi, "e": math.e}

_BINARY = {
    ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b, ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a ** b,
}
_HINTS = {ast.BitXor: " (use ** for powers)", ast.FloorDiv: " (use /)", ast.Mod: "",
          ast.MatMult: "", ast.LShift: "", ast.RShift: "", ast.BitAnd: "", ast.BitOr: ""}

Env = dict[str, Tensor]
Node = Callable[[Env], Tensor]


class FormulaError(ValueError):
    """The formula is not one this parser accepts; the message says why."""


@dataclass(frozen=True)
class Formula:
    """A checked formula: call it with tensors for its variables (all one shape)."""

    text: str
    variables: tuple[str, ...]
    _node: Node

    def __call__(self, *values: Tensor) -> Tensor:
        env = dict(zip(self.variables, values, strict=True))
        out = self._node(env)
        shape = torch.broadcast_shapes(out.shape, *(v.shape for v in values))
        return out if out.shape == shape else out.expand(shape)  # e.g. a constant formula


def parse(text: str, variables: tuple[str, ...] = ("x", "y")) -> Formula:
    """Check ``text`` and compile it; raise :class:`FormulaError` with the reason."""
    if not isinstance(text, str):
        raise FormulaError("the formula must be text")
    text = text.strip()
    if not text:
        raise FormulaError("the formula is empty")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"the formula is {len(text)} characters long; the limit is {MAX_LENGTH}")
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError) as err:
        where = f" at column {err.offset}" if getattr(err, "offset", None) else ""
        raise FormulaError(f"not a formula: {getattr(err, 'msg', 'invalid syntax')}{where}"
                           " (write products with *, e.g. 2*x)") from None
    nodes = sum(1 for _ in ast.walk(tree))
    if nodes > MAX_NODES:
        raise FormulaError(f"the formula has {nodes} parts; the limit is {MAX_NODES}")
    return Formula(text, tuple(variables), _Compiler(variables).compile(tree.body, 0))


class _Compiler:
    def __init__(self, variables: tuple[str, ...]):
        self.variables = variables

    def compile(self, node: ast.AST, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise FormulaError(f"the formula is nested more than {MAX_DEPTH} levels deep")
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise FormulaError(f"{_describe(node)} is not allowed in a formula")
        return method(node, depth + 1)

    def _Constant(self, node: ast.Constant, depth: int) -> Node:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise FormulaError(f"{value!r} is not a number")
        if not math.isfinite(value) or abs(value) > MAX_NUMBER:
            raise FormulaError(f"the number {value:g} is out of range (at most {MAX_NUMBER:g})")
        number = _scalar(value)
        return lambda env: number

    def _Name(self, node: ast.Name, depth: int) -> Node:
        name = node.id
        if name in self.variables:
            return lambda env: env[name]
        if name in CONSTANTS:
            number = _scalar(CONSTANTS[name])
            return lambda env: number
        if name in FUNCTIONS:
            raise FormulaError(f"{name} is a function: write {name}(...)")
        allowed = ", ".join((*self.variables, *CONSTANTS))
        raise FormulaError(f"unknown name {name!r}: the formula may use {allowed} "
                           f"and the functions {', '.join(FUNCTIONS)}")

    def _UnaryOp(self, node: ast.UnaryOp, depth: int) -> Node:
        operand = self.compile(node.operand, depth)
        if isinstance(node.op, ast.USub):
            return lambda env: -operand(env)
        if isinstance(node.op, ast.UAdd):
            return operand
        raise FormulaError(f"the operator {_describe(node.op)} is not allowed")

    def _BinOp(self, node: ast.BinOp, depth: int) -> Node:
        op = _BINARY.get(type(node.op))
        if op is None:
            raise FormulaError(f"the operator {_describe(node.op)} is not allowed"
                               + _HINTS.get(type(node.op), ""))
        left, right = self.compile(node.left, depth), self.compile(node.right, depth)
        if isinstance(node.op, ast.Pow):
            self._check_exponent(node.right, right)
        return lambda env: op(left(env), right(env))

    def _check_exponent(self, node: ast.AST, right: Node) -> None:
        """A constant exponent is computed now (in float64 tensors, so 9**9**9 is inf,
        not a hang) and must stay within the limit; an exponent with a variable is left
        to torch, which also works in floats."""
        if any(isinstance(n, ast.Name) and n.id in self.variables for n in ast.walk(node)):
            return
        value = float(right({}))
        if not math.isfinite(value) or abs(value) > MAX_EXPONENT:
            raise FormulaError(f"the exponent {value:g} is too large (at most {MAX_EXPONENT:g})")

    def _Call(self, node: ast.Call, depth: int) -> Node:
        if not isinstance(node.func, ast.Name):
            raise FormulaError(f"{_describe(node.func)} is not allowed in a formula")
        if node.func.id not in FUNCTIONS:
            raise FormulaError(f"{node.func.id!r} is not a known function; "
                               f"the functions are {', '.join(FUNCTIONS)}")
        name = node.func.id
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise FormulaError(f"{name}() takes plain arguments only")
        arity = ARITY.get(name, 1)
        if len(node.args) != arity:
            raise FormulaError(f"{name}() takes {arity} argument{'s' * (arity > 1)}, "
                               f"not {len(node.args)}")
        fn = FUNCTIONS[name]
        args = [self.compile(a, depth) for a in node.args]
        return lambda env: fn(*(a(env) for a in args))


def _scalar(value: float) -> Tensor:
    """Numbers are float64 tensors too, so 1/0 or 1e6**60 gives inf instead of raising."""
    return torch.tensor(float(value), dtype=torch.float64)


def _describe(node: ast.AST) -> str:
    names = {ast.Attribute: "attribute access (a.b)", ast.Subscript: "indexing (a[b])",
             ast.Lambda: "lambda", ast.Compare: "a comparison", ast.BoolOp: "and/or",
             ast.IfExp: "if/else", ast.Call: "a call", ast.JoinedStr: "an f-string",
             ast.List: "a list", ast.Tuple: "a tuple", ast.Dict: "a dict", ast.Set: "a set",
             ast.ListComp: "a comprehension", ast.GeneratorExp: "a comprehension",
             ast.NamedExpr: "assignment (:=)", ast.Starred: "*", ast.Await: "await",
             ast.Not: "not", ast.Invert: "~", ast.BitXor: "^", ast.FloorDiv: "//",
             ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
             ast.BitAnd: "&", ast.BitOr: "|"}
    return names.get(type(node), type(node).__name__)
