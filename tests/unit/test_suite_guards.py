"""Guards on the test suite itself: patterns that once let tests pass without checking anything."""
import ast
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
# Browser APIs that answer with a promise: a predicate using them is always truthy to wait_for_function.
PROMISE_WORDS = ("async ", "await ", "serviceWorker.ready", "caches.", "fetch(")


def _calls(name: str):
    for path in TESTS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == name:
                yield path, node


def _promise_predicates(name: str) -> list[str]:
    bad = []
    for path, call in _calls(name):
        arg = call.args[0] if call.args else None
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and any(w in arg.value for w in PROMISE_WORDS):
            bad.append(f"{path.relative_to(TESTS)}:{call.lineno}")
    return bad


def test_no_browser_wait_on_a_promise():
    """wait_for_function does not await an async predicate (microsoft/playwright#29132): use wait_until."""
    assert _promise_predicates("wait_for_function") == []


def test_the_guard_finds_a_promise_predicate(tmp_path, monkeypatch):
    sample = tmp_path / "test_sample.py"
    sample.write_text('page.wait_for_function("async () => (await caches.keys()).length > 0")\n'
                      'page.wait_for_function("navigator.serviceWorker.controller !== null")\n')
    monkeypatch.setattr(sys.modules[__name__], "TESTS", tmp_path)
    assert _promise_predicates("wait_for_function") == ["test_sample.py:1"]
