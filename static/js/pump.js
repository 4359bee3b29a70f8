/* Pump page: alarm tones played only when the person presses a button, and keeping the card offline on request. */
(function () {
  "use strict";

  var audio = null;

  function context() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return null;
    if (!audio) audio = new Ctx();
    if (audio.state === "suspended") audio.resume();
    return audio;
  }

  // One beep of `seconds` at `hz`, starting `at` seconds from now, with soft edges (no clicks).
  function beep(ctx, hz, at, seconds) {
    var osc = ctx.createOscillator();
    var gain = ctx.createGain();
    var start = ctx.currentTime + at;
    osc.type = "sine";
    osc.frequency.setValueAtTime(hz, start);
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.4, start + 0.02);
    gain.gain.setValueAtTime(0.4, start + seconds - 0.03);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + seconds);
    osc.connect(gain).connect(ctx.destination);
    osc.start(start);
    osc.stop(start + seconds + 0.05);
  }

  // SynchroMed II: non-critical is a 1-second single tone; critical a 3-second two-tone alarm [S11][S13].
  var TONES = {
    single: function (ctx) { beep(ctx, 880, 0, 1.0); },
    two: function (ctx) {
      for (var i = 0; i < 6; i++) { beep(ctx, i % 2 ? 660 : 990, i * 0.5, 0.5); }
    }
  };

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-pump-tone]");
    if (!button) return;
    var ctx = context();
    var play = TONES[button.getAttribute("data-pump-tone")];
    if (!ctx || !play) {
      if (window.companionToast) window.companionToast((window.companionText ? window.companionText("no_sound", "This phone cannot play the sound.") : "This phone cannot play the sound."));
      return;
    }
    play(ctx);
    button.setAttribute("data-played", "yes");
  });

  // Keep the card for offline use only when asked; the service worker caches that one page.
  function setUpSaveCard() {
    var button = document.querySelector("[data-save-card]");
    var status = document.querySelector("[data-save-card-status]");
    if (!button || !("serviceWorker" in navigator) || !("caches" in window)) return;
    button.hidden = false;
    caches.has("companion-card").then(function (saved) {
      if (saved) button.textContent = (window.companionText ? window.companionText("card_update", "Update the card on this phone") : "Update the card on this phone");
    });
    button.addEventListener("click", function () {
      navigator.serviceWorker.ready.then(function (registration) {
        var worker = registration.active;
        if (!worker) throw new Error("no worker");
        var channel = new MessageChannel();
        channel.port1.onmessage = function (msg) {
          var ok = msg.data && msg.data.ok;
          if (status) status.textContent = ok ? (window.companionText ? window.companionText("card_saved", "Saved. This card now opens on this phone, even with no signal.") : "Saved. This card now opens on this phone, even with no signal.") :
            (window.companionText ? window.companionText("not_saved", "Not saved. Please try again.") : "Not saved. Please try again.");
          if (ok) button.setAttribute("data-saved", "yes");
        };
        worker.postMessage({ type: "save-card", url: button.getAttribute("data-save-card") }, [channel.port2]);
      }).catch(function () {
        if (status) status.textContent = (window.companionText ? window.companionText("not_saved", "Not saved. Please try again.") : "Not saved. Please try again.");
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUpSaveCard);
  else setUpSaveCard();
})();
