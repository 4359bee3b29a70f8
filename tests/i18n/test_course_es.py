"""The Spanish course (issue 17): each es/NN-id.md matches its English module (translated_from, structure,
numbers); drift shows it out of date; a missing or out-of-date module is shown in English with a Spanish note."""
import dataclasses
import hashlib
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from companion.consent import content_languages as cls
from companion.consent import queries, services
from companion.consent.content_loader import CONTENT_DIR, load_version
from companion.consent.models import ConsentRecord
from companion.extensions import db
from tests.conftest import login
from tests.consent.helpers import consent_input

CURRENT = load_version()
FOLDER = CONTENT_DIR / CURRENT.version.replace(".", "-")
# Every Spanish module file of every version, so a new one is checked the moment it is added.
SPANISH_FILES = sorted(CONTENT_DIR.glob("*/es/*.md"))


def _copy(tmp_path: Path) -> Path:
    """A copy of the current version folder (English and Spanish) under tmp_path/content."""
    base = tmp_path / "content"
    shutil.copytree(FOLDER, base / FOLDER.name)
    return base


def _edit(path: Path, old: str, new: str) -> None:
    """Replace one exact piece of text in a file (it must be there)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_current_version_has_spanish_modules_and_they_are_served():
    assert {"01-how-it-works.md", "02-benefits-and-limits.md"} <= {p.name for p in SPANISH_FILES}
    spanish = load_version(language="es")
    assert spanish.version == CURRENT.version and spanish.language == "es"
    assert spanish.module("how-it-works").language == "es" and not spanish.module("how-it-works").fallback
    assert "bomba" in spanish.module("how-it-works").plain_text


@pytest.mark.parametrize("path", SPANISH_FILES, ids=lambda p: f"{p.parents[1].name}/es/{p.name}")
def test_each_spanish_module_matches_its_english_file(path):
    english = path.parents[1] / path.name
    assert english.is_file(), f"{path.name}: no English module of that name"
    stale, problems = cls.translation_problems(english, path)
    assert not stale, (f"{path.name}: out of date until updated (the English file changed; re-translate it and set "
                       f"translated_from to {cls.sha256_of(english)})")
    assert problems == [], f"{path.name}: {problems}"


def test_an_english_edit_makes_the_spanish_module_out_of_date_and_english_is_served(tmp_path):
    base = _copy(tmp_path)
    english = base / FOLDER.name / "01-how-it-works.md"
    _edit(english, "The tank slowly empties.", "The tank empties slowly.")
    stale, _ = cls.translation_problems(english, base / FOLDER.name / "es" / english.name)
    assert stale
    module = load_version(language="es", base_dir=base).module("how-it-works")
    assert (module.language, module.fallback) == ("en", cls.OUT_OF_DATE)
    assert "todavía no está al día" in cls.fallback_note(module, "es")


@pytest.mark.parametrize(("old", "new", "why"), [
    ("        correct: true\n", "        correct: false\n", "front matter"),        # a correct flag moved
    ("  - id: realistic-hope", "  - id: hope", "front matter"),                      # a question id
    ("sources: [S16, S50, S53]", "sources: [S16, S50]", "front matter"),             # a source dropped
    ("74 de cada 100 personas se movían", "75 de cada 100 personas se movían", "numbers"),
    ("reading_minutes: 3", "reading_minutes: 4", "front matter"),
])
def test_a_structure_or_number_difference_is_caught_and_not_served(tmp_path, old, new, why):
    base = _copy(tmp_path)
    spanish = base / FOLDER.name / "es" / "02-benefits-and-limits.md"
    _edit(spanish, old, new)
    stale, problems = cls.translation_problems(base / FOLDER.name / spanish.name, spanish)
    assert not stale and any(why in p for p in problems), problems
    module = load_version(language="es", base_dir=base).module("benefits-and-limits")
    assert (module.language, module.fallback) == ("en", cls.DIFFERS)


def test_a_missing_spanish_module_falls_back_to_english_and_says_so(tmp_path):
    base = _copy(tmp_path)
    (base / FOLDER.name / "es" / "01-how-it-works.md").unlink()
    content = load_version(language="es", base_dir=base)
    module = content.module("how-it-works")
    assert (module.language, module.fallback) == ("en", cls.MISSING)
    assert module.title == CURRENT.module("how-it-works").title
    assert "todavía no está en español" in cls.fallback_note(module, "es")
    assert cls.fallback_note(CURRENT.module("how-it-works"), "en") == ""


def test_the_content_hash_is_per_language(tmp_path):
    base = _copy(tmp_path)
    english, spanish = load_version(base_dir=base), load_version(language="es", base_dir=base)
    assert english.content_hash == CURRENT.content_hash  # Spanish files never change the English hash
    assert spanish.content_hash != english.content_hash
    _edit(base / FOLDER.name / "es" / "01-how-it-works.md", "Se puede deshacer", "Se puede quitar")
    assert load_version(language="es", base_dir=base).content_hash != spanish.content_hash
    assert load_version(base_dir=base).content_hash == english.content_hash
    shutil.rmtree(base / FOLDER.name / "es")
    assert load_version(base_dir=base).content_hash == english.content_hash


def test_translated_from_is_the_sha256_of_the_english_bytes():
    english = FOLDER / "01-how-it-works.md"
    text = (FOLDER / "es" / english.name).read_text(encoding="utf-8")
    assert re.search(r'^translated_from: "([0-9a-f]{64})"$', text, re.M).group(1) == \
        hashlib.sha256(english.read_bytes()).hexdigest() == cls.sha256_of(english)


# ---- pages ----

def _spanish(world):
    """Patient A reads Spanish."""
    world.patient_a_user.language = "es"
    db.session.commit()


def test_a_spanish_reader_gets_the_spanish_module(client, world):
    _spanish(world)
    login(client, world.patient_a_user)
    page = client.get("/learn/how-it-works").get_data(as_text=True)
    spanish = load_version(language="es").module("how-it-works")
    assert spanish.title in page and 'lang="es"' in page and "module-fallback" not in page
    question = client.get("/learn/how-it-works/questions/where-drug-goes").get_data(as_text=True)
    assert spanish.questions[0].text.replace("¿", "") in question.replace("¿", "")


def test_an_out_of_date_spanish_module_shows_english_with_a_spanish_note(app, client, world, tmp_path):
    base = _copy(tmp_path)
    _edit(base / FOLDER.name / "01-how-it-works.md", "The tank slowly empties.", "The tank empties slowly.")
    app.config["CONSENT_CONTENT_DIR"] = str(base)
    _spanish(world)
    login(client, world.patient_a_user)
    page = client.get("/learn/how-it-works").get_data(as_text=True)
    assert CURRENT.module("how-it-works").title in page and "The tank empties slowly." in page
    assert "module-fallback" in page and "todavía no está al día" in page
    assert '<article class="module" aria-labelledby="module-title" lang="en">' in page


def test_staff_can_open_the_spanish_version_of_a_module(client, world):
    _spanish(world)
    login(client, world.nurse1)
    url = f"/care/patients/{world.patient_a.id}/consent/modules/how-it-works"
    english = client.get(url).get_data(as_text=True)
    assert CURRENT.module("how-it-works").title in english and "(patient's language)" in english
    spanish = client.get(url + "?lang=es").get_data(as_text=True)
    assert load_version(language="es").module("how-it-works").title in spanish
    assert '?lang=es" aria-current="page"' in spanish
    assert '<article class="module" aria-labelledby="module-title" lang="es">' in spanish
    assert client.get(url + "?lang=xx").get_data(as_text=True).count(CURRENT.module("how-it-works").title) >= 1


def test_a_spanish_patients_record_stores_the_spanish_content_hash(world):
    _spanish(world)
    record = services.sign_consent(world.nurse1, world.patient_a, consent_input())
    assert record.language == "es"
    assert record.content_hash == load_version(language="es").content_hash != CURRENT.content_hash
    english = services.sign_consent(world.nurse1, world.patient_b, consent_input())
    assert english.content_hash == CURRENT.content_hash
    assert db.session.scalar(select(ConsentRecord).where(ConsentRecord.id == record.id)).content_version == \
        queries.current_content().version


def test_the_consent_session_links_the_patients_language_and_names_parts_shown_in_english(app, client, world,
                                                                                           tmp_path):
    base = _copy(tmp_path)
    (base / FOLDER.name / "es" / "01-how-it-works.md").unlink()
    app.config["CONSENT_CONTENT_DIR"] = str(base)
    login(client, world.nurse1)
    url = f"/care/patients/{world.patient_a.id}/consent"
    assert "shown in English" not in client.get(url).get_data(as_text=True)  # an English reader
    _spanish(world)
    page = client.get(url).get_data(as_text=True)
    row = page.split("modules/how-it-works?lang=es", 1)[1].split("</td>", 1)[0]
    assert "shown in English" in row
    second = page.split("modules/benefits-and-limits?lang=es", 1)[1].split("</td>", 1)[0]
    assert "shown in English" not in second


@pytest.mark.parametrize(("english", "spanish", "same"), [
    ("about 1 in 10,000 people", "más o menos 1 de cada 10.000 personas", True),
    ("2.3 in 100", "2,3 de cada 100", True),
    ("1 in 10,000", "1 de cada 1.000", False),
    ("about 2 in 100", "más o menos 3 de cada 100", False),
    ("100.4 °F", "100,4 °F", True),
])
def test_numbers_compare_across_decimal_and_thousands_marks(english, spanish, same):
    module = dataclasses.replace(CURRENT.module("trial"), questions=())
    en, es = (dataclasses.replace(module, plain_text=text) for text in (english, spanish))
    assert (cls.numbers(en) == cls.numbers(es)) is same
