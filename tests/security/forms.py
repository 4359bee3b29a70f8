"""Find every form on the app's pages (stdlib HTML parser) and make hostile values for its fields."""
from dataclasses import dataclass, field
from html.parser import HTMLParser

from hypothesis import strategies as st

# Values people (or attackers) really send: long, control characters, markup, wrong types and units.
XSS = '<script>alert("xss")</script>'
IMG = '"><img src=x onerror=alert(1)>'
RAW_MARKERS = ("<script>alert(", "<img src=x onerror")
HOSTILE = [
    "", " ", "A" * 5000, "é" * 300, "\x00", "\x01\x02\x1b[31m\x7f", "line\r\nbreak", "\u202eevil", "🙂" * 50,
    XSS, IMG, "' OR 1=1 --", "{{ 7*7 }}", "${7*7}", "../../etc/passwd", "%00", "javascript:alert(1)",
    "-1", "0", "-0", "-999999999999999999999", "999999999999999999999999", "1e309", "-1e309", "NaN", "Infinity",
    "1,5", "0x10", "٣", "10 mg", "3.5 mL", "98.6F", "K", "°F", "kelvin", "mg/day", "true", "[]", "{}", "null",
    "2026-02-30", "0000-00-00", "9999-12-31", "1900-01-01", "25:99", "99:99", "12:00 PM", "-5",
]
WRAPPED = st.sampled_from(HOSTILE)


@dataclass
class Field:
    """One named control: its kind, its options (radios, checkboxes, selects) and its current value."""

    name: str
    kind: str
    options: list = field(default_factory=list)
    value: str = ""


@dataclass
class Form:
    """A form on a page: where it posts, and its controls in order."""

    page: str
    method: str
    action: str
    fields: dict = field(default_factory=dict)
    htmx: bool = False  # the page sends it with htmx (so the server answers with a fragment)

    @property
    def key(self) -> tuple:
        """Forms are the same when they post to the same place with the same controls."""
        return self.method, self.action, tuple(sorted(self.fields))


class _Parser(HTMLParser):
    """Collects <form> elements with their inputs, selects, textareas and named buttons."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page, self.forms, self.current, self.select = page, [], None, None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            method = "post" if a.get("hx-post") or a.get("method", "get").lower() == "post" else "get"
            action = a.get("hx-post") or a.get("hx-get") or a.get("action") or self.page
            self.current = Form(self.page, method, action.replace("&amp;", "&"),
                                htmx=bool(a.get("hx-post") or a.get("hx-get")))
            self.forms.append(self.current)
            return
        if tag == "option" and self.select is not None:
            self.select.options.append(a.get("value", ""))
            return
        if self.current is None or not a.get("name"):
            return
        name, fields = a["name"], self.current.fields
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("radio", "checkbox"):
                fields.setdefault(name, Field(name, kind)).options.append(a.get("value", "on"))
            elif kind not in ("submit", "button", "image", "reset"):
                fields[name] = Field(name, kind, value=a.get("value", ""))
            elif a.get("value"):
                fields.setdefault(name, Field(name, "button")).options.append(a["value"])
        elif tag == "select":
            self.select = fields.setdefault(name, Field(name, "select"))
        elif tag == "textarea":
            fields[name] = Field(name, "textarea")
        elif tag == "button" and a.get("value"):
            fields.setdefault(name, Field(name, "button")).options.append(a["value"])

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None

    def handle_data(self, data):
        pass


def forms_in(page: str, html: str) -> list[Form]:
    """Every form on a page."""
    parser = _Parser(page)
    parser.feed(html)
    return parser.forms


def value_strategy(f: Field):
    """Valid-looking values mixed with hostile ones; checkboxes get lists."""
    if f.kind == "hidden":
        return st.just(f.value)  # not typed by people; envelopes stay valid so the answers are judged
    text = st.text(max_size=60)
    typed = {
        "number": st.integers(-10**9, 10**9).map(str) | st.floats(allow_nan=True).map(str),
        "date": st.dates().map(lambda d: d.isoformat()),
        "time": st.times().map(lambda t: t.strftime("%H:%M")),
        "email": st.emails(),
        "datetime-local": st.datetimes().map(lambda d: d.isoformat(timespec="minutes")),
    }.get(f.kind, text)
    if f.kind == "checkbox":
        return st.lists(st.sampled_from(f.options) | WRAPPED, max_size=len(f.options) + 1)
    if f.options:
        return st.sampled_from(f.options) | WRAPPED | text
    return typed | WRAPPED | text
