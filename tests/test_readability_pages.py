"""Every patient-facing page, rendered for the signed-in demo patient and caregiver, reads at Flesch-Kincaid
grade 8 or below, and 6 or below on average (AMA: grade 6; NIH: below grade 8).

Pages come from the URL map (every GET page a patient or caregiver may open, every /learn module and the
public pages), so a new page is scored the day it lands. The shared header, navigation and footer are
left out (scored once, as their own page); drug and device names are left out of the score.
"""
import re
from html.parser import HTMLParser

import pytest
import textstat
from sqlalchemy import select

from companion.extensions import db
from tests.conftest import make_app

MAX_GRADE = 8.0
MAX_AVERAGE = 6.0
MIN_WORDS = 40  # fewer words than this give a noisy score: such pages are scored together as one
PUBLIC = ["/login", "/enrol", "/caregiver/join", "/help", "/offline", "/no-such-page"]
FILES = re.compile(r"\.(pdf|ics|csv|json|png|js|webmanifest)$|^/api/|^/static/|^/icons/|^/healthz")
# Names people must read as they are: drugs, devices, brands. Left out of the score, not out of the page.
NAMES = re.compile(r"\b(SynchroMed(?: II)?|Prometra(?: II)?|Medtronic|Flowonix|Prialt|ziconotide|baclofen|Lioresal|"
                   r"Gablofen|morphine|Infumorph|hydromorphone|Dilaudid|fentanyl|sufentanil|bupivacaine|clonidine|"
                   r"naloxone|Narcan|gabapentin|pregabalin|diazepam|lorazepam|benzodiazepines?|opioids?|"
                   r"intrathecal|MRI|Companion|WebP|JPEG|PNG|HEIC|iPhone|PDF|CSV|FHIR)\b", re.I)
BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "label", "button", "td", "th", "legend", "option",
          "dt", "dd", "summary", "caption", "figcaption", "div", "section", "tr", "ul", "ol"}
SKIP = {"script", "style", "template", "svg", "nav", "header", "footer", "noscript", "select", "textarea"}


class _Text(HTMLParser):
    """Visible words of <main> (or the whole body), each block ending a sentence."""

    def __init__(self, chrome: bool):
        super().__init__(convert_charrefs=True)
        self.parts, self.skip, self.chrome, self.in_main = [], 0, chrome, 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIP and not (self.chrome and tag in ("nav", "header", "footer")):
            self.skip += 1
        if tag == "main":
            self.in_main += 1

    def handle_endtag(self, tag):
        if tag in SKIP and not (self.chrome and tag in ("nav", "header", "footer")):
            self.skip = max(self.skip - 1, 0)
        if tag == "main":
            self.in_main -= 1
        if tag in BLOCKS and self.parts and not self.parts[-1].rstrip().endswith((".", "?", "!", ":")):
            self.parts.append(".")

    def handle_data(self, data):
        if not self.skip and (self.in_main or self.chrome) and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str, chrome: bool = False) -> str:
    """The page's words as a reader meets them (chrome=True: only the shared header, nav and footer)."""
    if chrome:
        html = "".join(re.findall(r"<(?:header|nav|footer)\b.*?</(?:header|nav|footer)>", html, re.S))
    html = re.sub(r'<ol class="sources">.*?</ol>', "", html, flags=re.S)  # citations are references, not prose
    parser = _Text(chrome)
    parser.feed(html)
    text = " ".join(parser.parts)
    text = NAMES.sub("it", text)
    text = re.sub(r"\s+\.", ".", text)
    text = re.sub(r"(\.\s*){2,}", ". ", text)
    text = re.sub(r"https?://\S+", "it", text)
    return re.sub(r"\b[\w.+-]+@[\w.-]+\b|\+?\d[\d ()-]{6,}\d", "it", text)  # emails and phone numbers


def grade(text: str) -> float:
    return float(textstat.flesch_kincaid_grade(text))


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """{page: visible text} for every patient-facing page, rendered with the demo data."""
    return collect_pages(tmp_path_factory.mktemp("read"))


def collect_pages(folder, language: str = "en") -> dict[str, str]:
    """Render every patient-facing page with the demo data, for a patient and caregiver reading `language`."""
    from companion import clock
    from tests.conftest import FIXED_NOW

    clock.freeze(FIXED_NOW)
    app = make_app(folder, DEMO_MODE=True)
    with app.app_context():
        from companion.accounts.models import Patient
        from companion.consent import queries as consent
        from companion.demo import PASSWORD, seed
        from companion.escalation.models import Case

        seed()
        from companion.accounts.models import User

        for user in db.session.scalars(select(User).where(User.email.in_(["patient@demo.test", "caregiver@demo.test"]))):
            user.language = language
        db.session.commit()
        pat = db.session.scalar(select(Patient).where(Patient.record_number == "MRN-1001"))
        content = consent.current_content()
        case_id = db.session.scalar(select(Case.id).where(Case.patient_id == pat.id))
        values = {"case_id": case_id, "module_id": content.modules[0].id,
                  "question_id": content.modules[0].questions[0].id}
        found = {}
        anonymous = app.test_client()
        for path in PUBLIC:
            found[path] = anonymous.get(path, headers={"Accept-Language": language}).get_data(as_text=True)
        for email, role in (("patient@demo.test", "patient"), ("caregiver@demo.test", "caregiver")):
            client = app.test_client()
            client.post("/login", data={"email": email, "password": PASSWORD})
            urls = ["/", *(f"/learn/{m.id}" for m in content.modules)]
            for rule in app.url_map.iter_rules():
                roles = getattr(app.view_functions[rule.endpoint], "allowed_roles", ())
                if "GET" in rule.methods and role in roles and set(rule.arguments) <= set(values):
                    urls.append(rule.build({a: values[a] for a in rule.arguments}, append_unknown=False)[1])
            for url in sorted(set(urls)):
                if FILES.search(url) or role == "caregiver" and url in found and url not in ("/", "/pump"):
                    continue
                response = client.get(url)
                if response.status_code == 200 and response.mimetype == "text/html":
                    found[url if role == "patient" else f"{url} (caregiver)"] = response.get_data(as_text=True)
            if role == "patient":  # the states a patient reads after sending: errors, urgent, emergency
                from tests.security.records import PEG, RED_FLAG, entry_form

                for state, answers in (("errors (422)", {}), ("urgent outcome", RED_FLAG), ("emergency outcome", {
                        **PEG, "pain_now": "4", "anything_new": "yes", "sleepiness": "hard_to_wake"})):
                    response = client.post("/checkin", data=entry_form(answers))
                    assert response.status_code in (200, 422), state
                    found[f"/checkin: {state}"] = response.get_data(as_text=True)
        db.session.remove()
    clock.freeze(None)
    return found


def test_the_gate_can_fail():
    hard = ("<main><p>Intrathecal pharmacotherapy necessitates comprehensive multidisciplinary evaluation, "
            "encompassing psychological assessment and meticulously documented informed-consent procedures.</p></main>")
    assert grade(visible_text(hard)) > MAX_GRADE


def test_every_patient_page_reads_at_grade_8_or_below(pages):
    assert len(pages) >= 25, sorted(pages)
    scores, short = {}, []
    for url, html in pages.items():
        text = visible_text(html)
        if len(text.split()) >= MIN_WORDS:
            scores[url] = grade(text)
        else:
            short.append(text)
    scores["(short pages together)"] = grade(" ".join(short))
    chrome = visible_text(pages["/"], chrome=True) + " " + visible_text(pages["/login"], chrome=True)
    scores["(header, menu and footer)"] = grade(chrome)
    hard = {url: round(g, 1) for url, g in scores.items() if g > MAX_GRADE}
    assert hard == {}, f"pages above grade {MAX_GRADE}: {hard}"
    average = sum(scores.values()) / len(scores)
    print(f"{len(scores)} scores, average grade {average:.1f}; hardest:",
          sorted(((round(g, 1), u) for u, g in scores.items()), reverse=True)[:5])
    assert average <= MAX_AVERAGE, f"average grade {average:.1f}: {sorted(scores.items(), key=lambda x: -x[1])[:8]}"
