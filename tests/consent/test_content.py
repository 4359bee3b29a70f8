"""Checks on the versioned patient-education content and its loader."""
from __future__ import annotations

import math
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import textstat

from companion.consent import content_loader as cl
from companion.consent.content_loader import (
    ALLOW_LIST,
    CONTENT_DIR,
    STATIC_IMG_DIR,
    ContentError,
    ContentVersion,
    Module,
    available_versions,
    load_version,
    readability_text,
)

VERSION = load_version().version  # the current (newest) version
OLD_VERSION = "2026.11"  # signed records point at it; its folder must never change again
# SHA-256 of the 2026-11 folder as released on 2026-11-23 (before the red-flag edits).
OLD_VERSION_HASH = "8a74d911a8ce7dd1c48ce305ee13eb4efd4dc68760a57e3360a8133ed73115e9"
MAX_GRADE = 8.0
MAX_AVERAGE_GRADE = 7.0

# The eleven topics issue 3 requires, by front-matter id, with the risk topics each must carry.
REQUIRED_MODULES: dict[str, set[str]] = {
    "how-it-works": set(),
    "benefits-and-limits": set(),
    "trial": set(),
    "surgery-risks": {"infection", "bleeding", "csf_leak_headache", "nerve_injury"},
    "device-risks": {"catheter_problems", "pump_failure", "battery_replacement"},
    "drug-risks": {
        "overdose_breathing", "withdrawal", "inflammatory_mass", "hormone_changes", "ziconotide_effects",
    },
    "refills": {"refill_pocket_fill", "missed_refill"},
    "other-medicines": {"sedating_medicines"},
    "living-with-pump": {"mri", "travel"},
    "warning-signs": {"overdose_breathing", "withdrawal", "infection"},
    "other-options": set(),
}

RISK_TOPICS = {
    "infection", "bleeding", "csf_leak_headache", "nerve_injury", "catheter_problems",
    "pump_failure", "battery_replacement", "overdose_breathing", "withdrawal",
    "inflammatory_mass", "hormone_changes", "ziconotide_effects", "refill_pocket_fill",
    "missed_refill", "sedating_medicines", "mri", "travel",
}

SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def content() -> ContentVersion:
    """Return the packaged content version under test."""
    return load_version(VERSION)


def _grade(text: str) -> float:
    """Return the Flesch-Kincaid grade of text."""
    return float(textstat.flesch_kincaid_grade(text))


def _question_text(module: Module) -> str:
    """Return all teach-back text of a module as sentences, allow-listed names replaced."""
    parts: list[str] = []
    for q in module.questions:
        parts.append(q.text)
        for c in q.choices:
            parts.append(c.text if c.text.endswith((".", "?", "!")) else c.text + ".")
            parts.append(c.explanation)
    return cl._ALLOW_RE.sub("drug", " ".join(parts))


def _copy_version(tmp_path: Path) -> Path:
    """Copy the packaged version folder into tmp_path and return the new base directory."""
    base = tmp_path / "content"
    shutil.copytree(CONTENT_DIR / VERSION.replace(".", "-"), base / VERSION.replace(".", "-"))
    return base


# --- readability ---------------------------------------------------------------------------

def test_every_module_grade_at_most_8_and_average_at_most_7(content: ContentVersion) -> None:
    """Every module scores FK grade <= 8 and the mean is <= 7."""
    grades = {}
    for m in content.modules:
        grades[m.id] = _grade(readability_text(m))
        print(f"FK {grades[m.id]:5.2f}  raw {_grade(m.plain_text):5.2f}  words {m.word_count:4d}  {m.id}")
    average = sum(grades.values()) / len(grades)
    print(f"FK average {average:.2f}")
    too_hard = {k: round(v, 2) for k, v in grades.items() if v > MAX_GRADE}
    assert not too_hard, f"modules above grade {MAX_GRADE}: {too_hard}"
    assert average <= MAX_AVERAGE_GRADE


def test_teach_back_text_grade_at_most_8(content: ContentVersion) -> None:
    """Questions, choices and explanations are as plain as the modules."""
    grades = {m.id: _grade(_question_text(m)) for m in content.modules}
    print({k: round(v, 2) for k, v in grades.items()})
    assert all(g <= MAX_GRADE for g in grades.values()), grades


def test_readability_text_replaces_allow_list_and_ends_blocks() -> None:
    """Allow-listed names (and plurals) become 'drug'; every block ends like a sentence."""
    module = Module(
        id="x", title="x", order=1, reading_minutes=2, topics=(), risk_topics=(), sources=(),
        diagram=None, body_html="", plain_text="Heading\nMorphine and catheters help opioids:\nDone.",
        questions=(),
    )
    text = readability_text(module)
    assert text == "Heading.\ndrug and drug help drug.\nDone."
    assert "ziconotide" in ALLOW_LIST


def test_scores_are_not_trivially_low(content: ContentVersion) -> None:
    """A sanity check that scoring sees real prose, not empty text."""
    for m in content.modules:
        assert _grade(readability_text(m)) > 0.5, m.id


# --- coverage and structure ----------------------------------------------------------------

def test_eleven_required_modules_each_with_a_question(content: ContentVersion) -> None:
    """Each required topic has its module, in order 1-11, with at least one question."""
    ids = [m.id for m in content.modules]
    assert ids == list(REQUIRED_MODULES), ids
    assert [m.order for m in content.modules] == list(range(1, 12))
    for m in content.modules:
        assert 1 <= len(m.questions) <= 2, m.id
        assert m.title.strip(), m.id


def test_required_risk_topics_present(content: ContentVersion) -> None:
    """Risk-topic ids are from the known list, and each risk module carries its topics."""
    for m in content.modules:
        assert set(m.risk_topics) <= RISK_TOPICS, (m.id, set(m.risk_topics) - RISK_TOPICS)
        missing = REQUIRED_MODULES[m.id] - set(m.risk_topics)
        assert not missing, (m.id, missing)
    assert set(content.risk_topics) == RISK_TOPICS


def test_every_question_has_one_correct_choice_and_all_explanations(content: ContentVersion) -> None:
    """Exactly one correct choice per question, and an explanation for every choice."""
    for m in content.modules:
        assert len({q.id for q in m.questions}) == len(m.questions)
        for q in m.questions:
            assert q.text.strip()
            assert len(q.choices) >= 2, (m.id, q.id)
            assert sum(c.correct for c in q.choices) == 1, (m.id, q.id)
            assert len({c.id for c in q.choices}) == len(q.choices), (m.id, q.id)
            for c in q.choices:
                assert c.text.strip(), (m.id, q.id, c.id)
                assert len(c.explanation.split()) >= 4, (m.id, q.id, c.id)
            assert q.correct_choice.correct


def test_loader_rejects_two_correct_choices(tmp_path: Path) -> None:
    """A question with two correct choices fails to load."""
    base = _copy_version(tmp_path)
    path = next((base / VERSION.replace(".", "-")).glob("01-*.md"))
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("correct: false", "correct: true", 1), encoding="utf-8")
    with pytest.raises(ContentError):
        load_version(VERSION, base_dir=base)


def test_sources_declared_and_used(content: ContentVersion) -> None:
    """Every module source key is in version.yaml, and version.yaml lists only used sources."""
    declared = content.source_keys
    used = {key for m in content.modules for key in m.sources}
    for m in content.modules:
        assert m.sources, m.id
        assert set(m.sources) <= declared, (m.id, set(m.sources) - declared)
    assert declared == used, declared ^ used
    assert all(s.citation.strip() for s in content.sources)
    assert len(declared) == len(content.sources), "duplicate source keys"


def test_version_metadata(content: ContentVersion) -> None:
    """version.yaml fields are present and consistent with the folder name."""
    assert content.version == VERSION == available_versions()[-1]
    assert content.version.replace(".", "-") == f"{content.date:%Y-%m}"
    assert content.change_note
    assert re.fullmatch(r"[0-9a-f]{64}", content.content_hash)


def test_reading_minutes_match_word_count(content: ContentVersion) -> None:
    """reading_minutes is 2-4 and fits the word count at 150-200 words a minute."""
    for m in content.modules:
        words = m.word_count
        assert 300 <= words <= 650, (m.id, words)
        low, high = max(2, round(words / 200)), min(4, math.ceil(words / 150))
        assert 2 <= m.reading_minutes <= 4, m.id
        assert low <= m.reading_minutes <= high, (m.id, words, m.reading_minutes, low, high)


# --- diagrams ------------------------------------------------------------------------------

def _font_sizes(el: ET.Element, inherited: float | None = None) -> list[float]:
    """Return the effective font-size of every <text> under el."""
    own = el.get("font-size")
    size = float(own.removesuffix("px")) if own else inherited
    sizes = [size] if el.tag == f"{SVG_NS}text" and size is not None else []
    for child in el:
        sizes.extend(_font_sizes(child, size))
    return sizes


def test_diagrams_exist_and_are_phone_friendly(content: ContentVersion) -> None:
    """Diagram files exist, have a title, desc and viewBox, no fixed size, no style, big labels."""
    diagrams = [m.diagram for m in content.modules if m.diagram]
    assert set(diagrams) == {"pump-diagram.svg", "refill-diagram.svg"}
    for name in diagrams:
        path = STATIC_IMG_DIR / name
        assert path.is_file(), path
        raw = path.read_text(encoding="utf-8")
        assert "style" not in raw.lower(), f"{name}: inline style breaks the CSP"
        root = ET.fromstring(raw)
        assert root.get("role") == "img"
        assert root.find(f"{SVG_NS}title") is not None and root.find(f"{SVG_NS}desc") is not None
        assert root.get("width") is None and root.get("height") is None
        view_width = float(root.get("viewBox", "").split()[2])
        sizes = _font_sizes(root)
        assert sizes, f"{name}: no labels"
        # rendered at 360 px wide, every label must be at least 16 px
        assert min(sizes) * 360 / view_width >= 16, (name, min(sizes))
        assert root.find(f".//{SVG_NS}script") is None


def test_pump_diagram_labels() -> None:
    """The pump diagram names the pump, the catheter and the spine."""
    root = ET.parse(STATIC_IMG_DIR / "pump-diagram.svg").getroot()
    labels = " ".join("".join(t.itertext()) for t in root.iter(f"{SVG_NS}text"))
    for word in ("Pump", "Thin tube", "(catheter)", "Spine"):
        assert word in labels


# --- loader behaviour ----------------------------------------------------------------------

def test_content_hash_changes_when_one_byte_changes(tmp_path: Path, content: ContentVersion) -> None:
    """Copying keeps the hash; changing a single byte changes it."""
    base = _copy_version(tmp_path)
    copy = load_version(VERSION, base_dir=base)
    assert copy.content_hash == content.content_hash
    path = base / VERSION.replace(".", "-") / "05-device-risks.md"
    data = bytearray(path.read_bytes())
    index = data.rindex(b"surgery")
    data[index] = ord("S")
    path.write_bytes(bytes(data))
    changed = load_version(VERSION, base_dir=base)
    assert changed.content_hash != content.content_hash


def test_raw_html_is_escaped_and_unsafe_links_dropped(tmp_path: Path) -> None:
    """Raw HTML in a module is shown as text, never passed through."""
    base = _copy_version(tmp_path)
    path = next((base / VERSION.replace(".", "-")).glob("02-*.md"))
    with path.open("a", encoding="utf-8") as fh:
        fh.write("\n<script>alert(1)</script>\n\n")
        fh.write("See <b onclick='x()'>this</b> [link](javascript:alert(1)).\n")
    module = load_version(VERSION, base_dir=base).module("benefits-and-limits")
    assert "<script" not in module.body_html and "&lt;script&gt;" in module.body_html
    assert "<b " not in module.body_html
    assert "javascript:" not in module.body_html
    assert "<h2>" in module.body_html


def test_plain_text_has_no_markup(content: ContentVersion) -> None:
    """plain_text keeps words only: no tags, Markdown markers or front matter."""
    for m in content.modules:
        assert not re.search(r"<[a-z/]|\*\*|^#|^---|questions:", m.plain_text, re.M), m.id


def test_latest_version_and_cache() -> None:
    """None loads the newest folder; packaged loads are cached and return the same object."""
    assert VERSION in available_versions()
    assert available_versions() == sorted(available_versions())
    assert load_version() is load_version(available_versions()[-1])
    assert load_version("2026-11") is load_version(OLD_VERSION)
    with pytest.raises(ContentError):
        load_version("1999.01")


def test_latest_by_folder_name(tmp_path: Path) -> None:
    """With two folders in a base directory, the later folder name wins."""
    base = _copy_version(tmp_path)
    newer = base / "2027-03"
    shutil.copytree(base / VERSION.replace(".", "-"), newer)
    meta = newer / "version.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace(f'"{VERSION}"', '"2027.03"'), encoding="utf-8")
    assert available_versions(base) == [VERSION, "2027.03"]
    assert load_version(base_dir=base).version == "2027.03"


def test_old_version_kept_as_signed_and_newest_major_is_higher() -> None:
    """2026.11 is byte-for-byte what people signed; the newer version bumps major so they re-consent."""
    old, new = load_version(OLD_VERSION), load_version()
    assert old.content_hash == OLD_VERSION_HASH, "2026-11 was edited in place: add a new version folder instead"
    assert (old.major, old.date.isoformat()) == (2026, "2026-11-23")
    assert new.version != OLD_VERSION and new.major > old.major
    assert {"naloxone"} <= {w for m in new.modules for w in m.plain_text.lower().split()} - \
        {w for m in old.modules for w in m.plain_text.lower().split()}
