"""Run axe (WCAG 2.0–2.2 A/AA, target-size on) on a page and describe any violations."""
from axe_playwright_python.sync_playwright import Axe

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
_axe = Axe()


def violations(page) -> list[str]:
    """Axe violations on the page as readable lines (empty when clean); target-size must have run."""
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]})
    data = results.response
    ran = {r["id"] for key in ("violations", "passes", "incomplete", "inapplicable") for r in data.get(key, [])}
    assert "target-size" in ran, "axe's target-size rule did not run"
    return [f"{v['id']}: {v['help']} -> {[n['target'] for n in v['nodes']][:5]}" for v in data["violations"]]
