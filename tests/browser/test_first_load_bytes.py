"""What a phone downloads for the first load of the check-in, measured on the wire in Chromium (no proxy)."""
from tests.browser.conftest import sign_in

TEXT_TYPES = ("text/html", "text/css", "javascript", "application/json", "image/svg+xml")


def test_first_load_of_the_check_in_is_compressed_and_small(live_server, browser):
    p, b = browser
    signing_in = b.new_context(**p.devices["Pixel 7"], service_workers="block")
    sign_in(signing_in.new_page(), live_server[0], "patient@demo.test")
    cookies = signing_in.storage_state()
    signing_in.close()
    # the signed-in cookie in a new context: an empty HTTP cache and no service worker, as on a first visit
    context = b.new_context(**p.devices["Pixel 7"], service_workers="block", storage_state=cookies)
    page = context.new_page()
    loads = []
    page.on("requestfinished", lambda request: loads.append(request))
    page.goto(live_server[0] + "/checkin")
    page.wait_for_load_state("networkidle")
    rows = []
    for request in loads:
        response = request.response()
        sizes = request.sizes()
        kind = response.headers.get("content-type", "")
        rows.append((request.url, kind, response.headers.get("content-encoding", ""),
                     sizes["responseBodySize"] + sizes["responseHeadersSize"]))
    text = [r for r in rows if any(t in r[1] for t in TEXT_TYPES) and r[3] > 1500]
    assert text and all(encoding in ("br", "gzip", "deflate") for _url, _kind, encoding, _size in text), text
    total = sum(size for *_rest, size in rows)
    print(f"first load of /checkin on the wire: {total / 1024:.1f} KiB in {len(rows)} responses")
    assert total < 60 * 1024, rows  # the budget of the performance issue (was about 158 KiB uncompressed)
    context.close()
