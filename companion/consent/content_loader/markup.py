"""Markdown rendering without raw HTML or unsafe links, plain-text extraction and readability text."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from xml.etree.ElementTree import Element

import markdown
from markdown.treeprocessors import Treeprocessor

from companion.consent.content_loader.model import Module

# Drug, device and therapy names a patient has to learn. Before readability scoring each is
# replaced by the one-syllable word "drug" so a long proper name does not raise the grade.
ALLOW_LIST: tuple[str, ...] = (
    "intrathecal", "catheter", "SynchroMed", "Prometra", "Infumorph", "Prialt",
    "opioid", "morphine", "hydromorphone", "fentanyl", "bupivacaine", "clonidine", "ziconotide",
    "baclofen", "benzodiazepine", "diazepam", "lorazepam", "gabapentin", "pregabalin", "naloxone",
    # The same names as the Spanish course spells them (issue 17), scored the same way.
    "intratecal", "catéter", "opioide", "morfina", "hidromorfona", "fentanilo", "bupivacaína", "clonidina",
    "ziconotida", "baclofeno", "benzodiazepina", "gabapentina", "pregabalina", "naloxona",
)
_ALLOW_RE = re.compile(
    r"\b(?:" + "|".join(re.escape(w) for w in ALLOW_LIST) + r")(?:e?s)?\b", re.IGNORECASE
)
_SAFE_URL_RE = re.compile(r"^(?:https?:|mailto:|tel:|#|/|[\w.-]+(?:[/#?]|$))", re.I)
_BLOCK_TAGS = frozenset({"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr"})
_TERMINAL = (".", "!", "?")


class _DropUnsafeUrls(Treeprocessor):
    """Remove href/src values that are not plain web, mail, phone or relative links."""

    def run(self, root: Element) -> None:
        """Strip unsafe URL attributes in place."""
        for el in root.iter():
            for attr in ("href", "src"):
                value = el.get(attr)
                if value is not None and not _SAFE_URL_RE.match(value.strip()):
                    del el.attrib[attr]


def _markdown() -> markdown.Markdown:
    """Return a Markdown converter that escapes raw HTML instead of passing it through."""
    md = markdown.Markdown(extensions=["sane_lists"], output_format="html")
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    md.treeprocessors.register(_DropUnsafeUrls(md), "drop_unsafe_urls", 0)
    return md


class _TextExtractor(HTMLParser):
    """Collect the text of rendered HTML, one line per block element."""

    def __init__(self) -> None:
        """Start with no text."""
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._buf: list[str] = []

    def _flush(self) -> None:
        """Close the current line."""
        text = " ".join("".join(self._buf).split())
        if text:
            self.lines.append(text)
        self._buf = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Start a new line at a block element."""
        if tag in _BLOCK_TAGS or tag in {"ul", "ol", "br"}:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        """End the line at the close of a block element."""
        if tag in _BLOCK_TAGS or tag in {"ul", "ol"}:
            self._flush()

    def handle_data(self, data: str) -> None:
        """Collect text."""
        self._buf.append(data)


def html_to_text(html: str) -> str:
    """Return the plain text of rendered HTML with one line per block."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    parser._flush()
    return "\n".join(parser.lines)


def readability_text(module: Module) -> str:
    """Return the text to score: each block ends a sentence and allow-listed names become 'drug'."""
    lines = []
    for line in module.plain_text.splitlines():
        line = line.strip()
        if line and not line.endswith(_TERMINAL):
            line = line.rstrip(":;,") + "."
        lines.append(line)
    return _ALLOW_RE.sub("drug", "\n".join(lines))
