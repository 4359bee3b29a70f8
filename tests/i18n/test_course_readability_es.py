"""Plain Spanish in the course (issue 17): every Spanish module file that exists, text and teach-back, scores at
least 70 on Fernández-Huerta ("fairly easy"), scored like the English grade test (names of drugs read as 'drug')."""
from pathlib import Path

import pytest

from companion.consent import content_loader as cl
from tests.i18n.test_readability_es import huerta

MIN_MODULE = 70.0
# Every es/NN-id.md of every version, parsed on its own (even one out of date is still read by someone): none skipped.
FILES = sorted(cl.CONTENT_DIR.glob("*/es/*.md"))


def _teach_back(module: cl.Module) -> str:
    """The questions, choices and explanations as sentences, allow-listed names replaced."""
    parts = []
    for q in module.questions:
        parts.append(q.text)
        for c in q.choices:
            parts += [c.text if c.text.endswith((".", "?", "!")) else c.text + ".", c.explanation]
    return cl._ALLOW_RE.sub("drug", " ".join(parts))


def test_there_are_spanish_modules_to_score():
    assert len(FILES) >= 2 and all(p.parent.name == "es" for p in FILES)


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parents[1].name}/es/{p.name}")
def test_each_spanish_module_scores_70_or_more(path: Path):
    module = cl._parse_module(path)
    body, questions = huerta(cl.readability_text(module)), huerta(_teach_back(module))
    print(f"{path.name}: text {body:.1f}, teach-back {questions:.1f}")
    assert body >= MIN_MODULE, f"{path.name}: text scores {body:.1f} (Fernández-Huerta), below {MIN_MODULE}"
    assert questions >= MIN_MODULE, f"{path.name}: teach-back scores {questions:.1f}, below {MIN_MODULE}"


def test_the_module_check_can_fail():
    hard = ("La administración intratecal continua de analgésicos opioides requiere evaluación multidisciplinaria, "
            "consentimiento informado documentado y seguimiento farmacológico exhaustivo e individualizado.")
    assert huerta(hard) < MIN_MODULE
