"""Plain Spanish, measured: every patient page in Spanish scores at least 60 on Fernández-Huerta
(60-70: "normal", 70+: "fairly easy"), the same pages the English grade test reads."""
import pytest
import textstat

from tests.test_readability_pages import MIN_WORDS, collect_pages, visible_text

MIN_PAGE = 60.0


def huerta(text: str) -> float:
    """Fernández-Huerta with Spanish syllables; the global textstat language is put back for the English tests."""
    textstat.set_lang("es")
    try:
        return float(textstat.fernandez_huerta(text))
    finally:
        textstat.set_lang("en_US")


@pytest.fixture(scope="module")
def paginas(tmp_path_factory):
    """{page: html} for every patient-facing page, with the demo patient and caregiver reading Spanish."""
    return collect_pages(tmp_path_factory.mktemp("leer"), language="es")


def test_the_check_can_fail():
    dificil = ("<main><p>La farmacoterapia intratecal requiere una evaluación multidisciplinaria exhaustiva, "
               "incluyendo valoración psicológica y procedimientos de consentimiento informado "
               "meticulosamente documentados.</p></main>")
    assert huerta(visible_text(dificil)) < MIN_PAGE


def test_the_pages_are_really_in_spanish(paginas):
    assert 'lang="es"' in paginas["/"] and "Hola" in paginas["/"]
    assert 'lang="es"' in paginas["/login"] and "Entrar" in paginas["/login"]
    emergencia = visible_text(paginas["/checkin: emergency outcome"])
    assert "Llame ya a emergencias" in emergencia and "Llamar al 911" in emergencia
    assert "demasiada medicina" in emergencia and "Call" not in emergencia  # the red-flag reason too


def test_every_spanish_patient_page_scores_60_or_more(paginas):
    assert len(paginas) >= 25, sorted(paginas)
    scores, short = {}, []
    for url, html in paginas.items():
        text = visible_text(html)
        if len(text.split()) >= MIN_WORDS:
            scores[url] = huerta(text)
        else:
            short.append(text)
    scores["(short pages together)"] = huerta(" ".join(short))
    hard = {url: round(s, 1) for url, s in scores.items() if s < MIN_PAGE}
    print(f"{len(scores)} pages; lowest:", sorted((round(s, 1), u) for u, s in scores.items())[:5])
    assert hard == {}, f"Spanish pages below Fernández-Huerta {MIN_PAGE}: {hard}"
