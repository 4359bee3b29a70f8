"""Every module, and every public function, class and method of the app, says in one line what it is for."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "companion"
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "translations" not in p.parts)


def _public_definitions(tree: ast.Module):
    """Yield top-level functions and classes and the methods of those classes (nested helpers are private)."""
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield node
            if isinstance(node, ast.ClassDef):
                yield from (n for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_and_public_definitions_have_docstrings(path: Path) -> None:
    """A module without a docstring, or a public definition without one, is named in the failure."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    missing = [] if ast.get_docstring(tree) else ["<module>"]
    missing += [f"{node.name} (line {node.lineno})" for node in _public_definitions(tree)
                if not node.name.startswith("_") and not ast.get_docstring(node)]
    assert not missing, f"{path.relative_to(PACKAGE)}: no docstring on {', '.join(missing)}"


def test_the_check_sees_a_missing_docstring(tmp_path: Path) -> None:
    """The walker reports an undocumented public function (so the test above can fail)."""
    tree = ast.parse('"""Doc."""\ndef shown():\n    pass\ndef _hidden():\n    pass\n')
    names = [n.name for n in _public_definitions(tree) if not ast.get_docstring(n)]
    assert names == ["shown", "_hidden"]
