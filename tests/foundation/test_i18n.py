"""User-facing strings go through Flask-Babel's gettext, so a message catalogue can be extracted."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_strings_are_extractable_for_translation(tmp_path):
    out = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l", "--ignore-dirs", ".* node_modules",
                    "-o", str(out), "."], cwd=ROOT, check=True, capture_output=True)
    catalogue = out.read_text()
    for text in ("Sign in", "That email and password do not match. Please try again.",
                 "Call your clinic today if:", "We could not find that page"):
        assert f'msgid "{text}"' in catalogue, text
