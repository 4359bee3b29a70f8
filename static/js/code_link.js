/* One-time codes in links: a link's #code=... never reaches a server or a Referer; move it into the page's form. */
(function () {
  "use strict";
  var match = /(?:^#|&)code=([^&]*)/.exec(window.location.hash);
  if (!match) return;
  // Out of the address bar and the history at once, so the code is not kept on the phone either.
  window.history.replaceState(null, "", window.location.pathname + window.location.search);
  var form = document.querySelector("form[data-code-link]");
  var code = "";
  try { code = decodeURIComponent(match[1].replace(/\+/g, " ")).trim(); } catch (e) { return; }
  if (!form || !form.elements.code || !code) return;
  form.elements.code.value = code.slice(0, 400);
  if (form.getAttribute("data-code-link") === "submit") {
    // The staff code step has nothing else to fill: send the code in the POST body now.
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
    return;
  }
  // The code is in; put the person at the first empty field (their email or name).
  for (var i = 0; i < form.elements.length; i++) {
    var el = form.elements[i];
    if (el.type !== "hidden" && el.name !== "code" && !el.value && el.focus) { el.focus(); break; }
  }
})();
