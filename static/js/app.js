/* Companion page script: service worker, error toasts, focus after swaps, safe sign-out. */
(function () {
  "use strict";

  // The page's words for scripts, in its language (base.html renders them as JSON; English is the fallback).
  var words = null;
  function text(key, fallback) {
    if (words === null) {
      try { words = JSON.parse(document.getElementById("js-strings").textContent); } catch (e) { words = {}; }
    }
    return words[key] || fallback;
  }
  window.companionText = text;

  function toast(message) {
    var el = document.getElementById("toast");
    if (!el) return;
    el.textContent = message;
    el.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { el.hidden = true; }, 6000);
  }
  window.companionToast = toast;

  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
        return navigator.serviceWorker.ready;
      }).then(function (registration) {
        // The offline page carries the clinic's own phone numbers once the person has signed in.
        // It is also fetched again when the page language changes, so the offline page speaks it too.
        var lang = document.documentElement.lang;
        var stale = false;
        try { stale = localStorage.getItem("companion-offline-lang") !== lang; localStorage.setItem("companion-offline-lang", lang); } catch (e) {}
        if (registration.active && (document.body.dataset.signedIn === "yes" || stale)) {
          registration.active.postMessage({ type: "refresh-offline" });
        }
      }).catch(function () {});
    });
  }

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (event.detail.keptOffline) return;  // the diary kept the entry on the phone and says so itself
    toast(status === 403 || status === 404 ? text("forbidden", "You cannot do that here.") : text("not_saved", "Not saved. Please try again."));
  });
  document.addEventListener("htmx:sendError", function () {
    toast(text("no_connection", "No connection. Please try again when you have signal."));
  });
  // After a form comes back with errors, move focus to the summary so screen readers hear it.
  document.addEventListener("htmx:afterSwap", function (event) {
    var summary = event.detail.target.querySelector(".error-summary, [aria-invalid='true']");
    if (summary) summary.focus();
  });

  // The rules context of an online page (patients only) is kept for the offline rules (diary.js).
  var keptContext = document.getElementById("rules-context");
  if (keptContext) { try { localStorage.setItem("companion-rules-context", keptContext.textContent); } catch (e) { /* private mode */ } }

  // Signing out clears this phone's copies; unsent entries are handled by the outbox module.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-logout")) return;
    try { localStorage.removeItem("companion-rules-context"); } catch (e) { /* nothing kept */ }
    // The server also answers with Clear-Site-Data; this covers browsers that ignore it.
    function dropCaches() {
      if (!("caches" in window)) return Promise.resolve();
      return caches.keys().then(function (keys) { return Promise.all(keys.map(function (k) { return caches.delete(k); })); });
    }
    if (window.companionOutbox && !form.dataset.confirmed) {
      event.preventDefault();
      window.companionOutbox.beforeLogout().then(function (ok) {
        if (!ok) return;
        // form.submit() fires no submit event, so the caches are dropped here before it.
        dropCaches().catch(function () {}).then(function () { form.dataset.confirmed = "1"; form.submit(); });
      });
      return;
    }
    dropCaches();
  });
})();
