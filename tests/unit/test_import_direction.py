"""The code's direction is one way: escalation decides who is paged and when; notify only delivers."""
import ast
from pathlib import Path

import companion

PACKAGE = Path(companion.__file__).parent


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def test_notify_never_imports_escalation():
    offenders = {str(path.relative_to(PACKAGE)): sorted(n for n in imported_modules(path)
                                                       if n.startswith("companion.escalation"))
                 for path in (PACKAGE / "notify").rglob("*.py")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_ladder_rounds_and_their_job_live_in_escalation():
    rounds = imported_modules(PACKAGE / "escalation" / "services" / "rounds.py")
    assert "companion.notify.dispatcher" in rounds or "companion.notify.dispatcher" in {
        n.replace("companion.notify.dispatcher", "companion.notify.dispatcher") for n in rounds}
    assert "escalation_sweep" in (PACKAGE / "escalation" / "services" / "rounds.py").read_text()
    assert "escalation_sweep" not in (PACKAGE / "notify" / "dispatcher.py").read_text()
