"""The README's code-health rows, as JSON: lines in the README, the longest functions in
``pages/``, and every private Streamlit name that product code (``app.py``, ``pages/``,
``ui/``, ``dlcore/``) imports (the target: none, or one in ``ui/compat.py``).

    python benchmarks/code_health.py
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PRODUCT = ["app.py", "pages", "ui", "dlcore"]
PUBLIC = {"streamlit", "streamlit.components.v1", "streamlit.testing.v1"}
# Modules of Streamlit's that are not its API, imported as ``from streamlit import X``
INTERNAL_MODULES = {"runtime", "web", "proto", "elements", "commands", "navigation"}


def python_files(parts: list[str]) -> list[Path]:
    out = []
    for part in parts:
        path = REPO / part
        out += [path] if path.is_file() else sorted(path.rglob("*.py"))
    return out


def longest_functions(folder: str = "pages", top: int = 5) -> list[dict]:
    rows = []
    for path in python_files([folder]):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                rows.append({"function": f"{path.relative_to(REPO)}:{node.name}",
                             "lines": node.end_lineno - node.lineno + 1})
    return sorted(rows, key=lambda r: -r["lines"])[:top]


def private_streamlit_names() -> list[str]:
    """``module.name`` for every import from a Streamlit module that is not public API."""
    found = []
    for path in python_files(PRODUCT):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module not in PUBLIC \
                    and (node.module or "").startswith("streamlit."):
                found += [f"{path.relative_to(REPO)}: {node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module == "streamlit":
                found += [f"{path.relative_to(REPO)}: streamlit.{a.name}" for a in node.names
                          if a.name in INTERNAL_MODULES]
            elif isinstance(node, ast.Import):
                found += [f"{path.relative_to(REPO)}: {a.name}" for a in node.names
                          if a.name.startswith("streamlit.") and a.name not in PUBLIC]
    return found


def main() -> None:
    print(json.dumps({
        "readme_lines": len((REPO / "README.md").read_text().splitlines()),
        "longest_functions_in_pages": longest_functions(),
        "private_streamlit_names": private_streamlit_names(),
    }, indent=1))


if __name__ == "__main__":
    main()
