/* Staff idle timeout: warn two minutes before the automatic sign-out, with "Stay signed in".
   Background polls (?poll=1) do not count as activity on the server, so they do not reset this timer either. */
(function () {
  "use strict";
  var WARN_BEFORE = 120; // seconds
  var limit = parseInt(document.body.getAttribute("data-idle-seconds") || "0", 10);
  if (!limit) return;
  var warnTimer = null, outTimer = null;

  function box() { return document.querySelector("[data-idle-warning]"); }

  function signOutNow() {
    // Ask the server, which alone knows (another tab may have kept the session): it sends an ended session to
    // the sign-in page, which says why and returns here.
    window.location.reload();
  }

  function restart() {
    clearTimeout(warnTimer); clearTimeout(outTimer);
    var warning = box();
    if (warning) warning.hidden = true;
    warnTimer = setTimeout(function () {
      var w = box();
      if (!w) return;
      w.hidden = false;
      var button = w.querySelector("button");
      if (button) button.focus();
    }, Math.max(limit - WARN_BEFORE, 0) * 1000);
    outTimer = setTimeout(signOutNow, (limit + 2) * 1000);
  }

  function isPoll(detail) {
    var path = (detail && detail.pathInfo && detail.pathInfo.requestPath) || "";
    return path.indexOf("poll=1") !== -1;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("[data-idle-keepalive]");
    if (!form) return;
    event.preventDefault();
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
                         headers: { "X-CSRFToken": form.querySelector("[name=csrf_token]").value } })
      .then(function (response) { if (response.ok) restart(); else signOutNow(); })
      .catch(function () { restart(); });
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (!isPoll(event.detail)) restart(); // a real action keeps the session alive on the server too
  });
  restart();
})();
