/* Web push: subscribe this browser with the server's VAPID key, or unsubscribe. */
(function () {
  "use strict";

  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (e) { return ""; }
  }

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  function post(url, body) {
    return fetch(url, { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() }, body: JSON.stringify(body) });
  }

  function say(box, text) { var s = box.querySelector("[data-push-status]"); if (s) s.textContent = text; }

  function showOff(box, on) {
    // "Turn off" only while alerts are on (issue 16: it used to be offered when they were already off).
    var off = box.querySelector("[data-push-off]");
    if (off) off.hidden = !on;
  }

  document.addEventListener("click", function (event) {
    var box = event.target.closest("[data-push-settings]");
    if (!box) return;
    if (event.target.closest("[data-push-on]")) {
      if (!("serviceWorker" in navigator) || !("PushManager" in window)) { say(box, (window.companionText ? window.companionText("alerts_unsupported", "This browser cannot show alerts.") : "This browser cannot show alerts.")); return; }
      Notification.requestPermission().then(function (permission) {
        if (permission !== "granted") throw new Error("denied");
        return navigator.serviceWorker.ready;
      }).then(function (reg) {
        return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(box.dataset.vapidKey) });
      }).then(function (sub) {
        return post(box.dataset.subscribeUrl, sub.toJSON());
      }).then(function (response) {
        say(box, response.ok ? (window.companionText ? window.companionText("alerts_on", "Alerts are on for this device.") : "Alerts are on for this device.") : (window.companionText ? window.companionText("alerts_failed", "Alerts could not be turned on. Please try again.") : "Alerts could not be turned on. Please try again."));
        showOff(box, response.ok);
      }).catch(function () { say(box, (window.companionText ? window.companionText("alerts_blocked", "Alerts are off. Allow notifications in the browser settings to turn them on.") : "Alerts are off. Allow notifications in the browser settings to turn them on.")); });
    } else if (event.target.closest("[data-push-off]")) {
      var done = function (endpoint) {
        return post(box.dataset.unsubscribeUrl, { endpoint: endpoint }).then(function () { say(box, (window.companionText ? window.companionText("alerts_off", "Alerts are off.") : "Alerts are off.")); showOff(box, false); });
      };
      if (!("serviceWorker" in navigator)) { say(box, (window.companionText ? window.companionText("alerts_off", "Alerts are off.") : "Alerts are off.")); return; }
      navigator.serviceWorker.ready.then(function (reg) { return reg.pushManager.getSubscription(); })
        .then(function (sub) { if (!sub) { say(box, (window.companionText ? window.companionText("alerts_off", "Alerts are off.") : "Alerts are off.")); return; } var ep = sub.endpoint; return sub.unsubscribe().then(function () { return done(ep); }); })
        .catch(function () { say(box, (window.companionText ? window.companionText("try_again", "Please try again.") : "Please try again.")); });
    }
  });
})();
