"""The app compresses its own responses (no proxy under make run) and lets browsers keep versioned assets."""
import brotli
import pytest

from companion.template_globals import asset
from tests.conftest import login


@pytest.mark.parametrize("encoding,decode", [("br", brotli.decompress), ("gzip", __import__("gzip").decompress)])
def test_pages_and_assets_are_compressed_for_a_browser_that_asks(app, client, world, encoding, decode):
    login(client, world.patient_a_user)
    with app.test_request_context():
        css, js = asset("css/app.css"), asset("js/app.js")
    for url in ("/checkin", css, js):
        plain = client.get(url, headers={"Accept-Encoding": "identity"})
        packed = client.get(url, headers={"Accept-Encoding": f"{encoding}, deflate"})
        assert plain.status_code == packed.status_code == 200, url
        assert "Content-Encoding" not in plain.headers
        assert packed.headers["Content-Encoding"] in (encoding, "deflate") and "Accept-Encoding" in packed.headers["Vary"]
        body = packed.get_data()
        if packed.headers["Content-Encoding"] == encoding:
            unpacked = decode(body)
            if url == "/checkin":  # the page carries a fresh CSRF token each time: same page, other token
                assert len(unpacked) == len(plain.get_data()) and b'id="entry-form"' in unpacked
            else:
                assert unpacked == plain.get_data()
        assert len(body) < len(plain.get_data()) * 0.5, url  # text compresses at least two to one


def test_versioned_assets_are_immutable_and_pages_never_cached(app, client):
    with app.test_request_context():
        css = asset("css/app.css")
    assert client.get(css).headers["Cache-Control"] == "public, max-age=31536000, immutable"
    stale = css.split("v=")[0] + "v=0000000000"  # an old hash: may be revalidated, never kept for a year
    assert "immutable" not in client.get(stale).headers.get("Cache-Control", "")
    assert client.get("/login").headers["Cache-Control"] == "no-store"
