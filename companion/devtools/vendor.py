"""Copy the pinned npm packages' browser files into static/vendor (never committed)."""
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FILES = {
    "node_modules/htmx.org/dist/htmx.min.js": "htmx.min.js",
    "node_modules/signature_pad/dist/signature_pad.umd.min.js": "signature_pad.min.js",
    "node_modules/idb-keyval/dist/umd.js": "idb-keyval.js",
}


def main() -> None:
    """Copy each pinned file; fail loudly if npm did not install it."""
    dest = ROOT / "static" / "vendor"
    dest.mkdir(parents=True, exist_ok=True)
    for src, name in FILES.items():
        shutil.copyfile(ROOT / src, dest / name)


if __name__ == "__main__":
    main()
