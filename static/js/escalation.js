/* Triage queue: announce new cases (aria-live + a visible banner) and an optional sound the user can turn off. */
(function () {
  "use strict";
  var KEY = "companion.queueSound";
  var known = null;

  function soundOn() { try { return localStorage.getItem(KEY) === "on"; } catch (e) { return false; } }

  function showButton() {
    var button = document.querySelector("[data-queue-sound]");
    if (!button) return;
    var on = soundOn();
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.textContent = on ? "Sound for new cases: on" : "Sound for new cases: off";
  }

  function beep() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx || !soundOn()) return;
    try {
      var ctx = new Ctx();
      [0, 0.35].forEach(function (start) {
        var osc = ctx.createOscillator(), gain = ctx.createGain();
        osc.frequency.value = 880;
        gain.gain.value = 0.15;
        osc.connect(gain); gain.connect(ctx.destination);
        osc.start(ctx.currentTime + start); osc.stop(ctx.currentTime + start + 0.2);
      });
      setTimeout(function () { ctx.close(); }, 1000);
    } catch (e) { /* sound is optional */ }
  }

  function ids(queue) {
    var raw = queue ? queue.getAttribute("data-open-case-ids") : "";
    return raw ? raw.split(",") : [];
  }

  function check() {
    var queue = document.getElementById("queue");
    if (!queue) return;
    var now = ids(queue);
    if (known !== null) {
      var fresh = now.filter(function (id) { return known.indexOf(id) === -1; });
      if (fresh.length) {
        var text = fresh.length === 1 ? "New case in the queue." : fresh.length + " new cases in the queue.";
        var live = document.querySelector("[data-queue-live]");
        var banner = document.querySelector("[data-queue-alert]");
        if (live) live.textContent = text;
        if (banner) { banner.textContent = text; banner.hidden = false; }
        fresh.forEach(function (id) {
          var row = document.getElementById("case-" + id);
          if (row) row.classList.add("case-new");
        });
        beep();
      }
    }
    known = now;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-queue-sound]");
    if (button) {
      try { localStorage.setItem(KEY, soundOn() ? "off" : "on"); } catch (e) { /* private mode */ }
      showButton();
      if (soundOn()) beep(); // a user gesture also unlocks audio for later alerts
      return;
    }
    var banner = event.target.closest("[data-queue-alert]");
    if (banner) banner.hidden = true;
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.elt && event.detail.elt.id === "queue") check();
    else if (document.getElementById("queue")) check();
  });
  // Say so when the live queue stops updating (network down, server error, signed out) instead of going quiet.
  var lastOk = Date.now();
  function markStale() {
    var stale = document.querySelector("[data-queue-stale]");
    if (stale && document.getElementById("queue")) stale.hidden = Date.now() - lastOk < 16000;
  }
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.target && event.detail.target.id === "queue" && event.detail.successful) lastOk = Date.now();
    markStale();
  });
  setInterval(markStale, 5000);
  document.addEventListener("DOMContentLoaded", function () { showButton(); check(); });
})();
