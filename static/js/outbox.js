/* Companion offline outbox: unsent diary entries wait in IndexedDB and are replayed, each with its UUID,
   until the server acknowledges them (200/201). A replay never duplicates: the server keys on the UUID. */
(function () {
  "use strict";
  var kv = window.idbKeyval;
  var store = kv ? kv.createStore("companion-outbox", "entries") : null;
  var flushing = null;
  var signedOut = false;
  var retryTimer = null;

  function all() {
    if (!store) return Promise.resolve([]);
    return kv.values(store).then(function (records) {
      return records.sort(function (a, b) { return a.recorded_at < b.recorded_at ? -1 : 1; });
    });
  }

  function plural(n, one, many) { return n === 1 ? one : many.replace("%n", n); }

  /* ---- what the server said about an entry sent from the outbox (issue 16) ---- */
  var lastSent = "";

  function showOutcome(html) {
    // The server's own outcome screen (urgent: call your clinic; emergency: call emergency services),
    // shown at the top of whatever page is open, however long ago the entry was made.
    var main = document.getElementById("main");
    if (!main || !html) return;
    var box = document.getElementById("sync-outcome");
    if (!box) { box = document.createElement("div"); box.id = "sync-outcome"; main.insertBefore(box, main.firstChild); }
    box.innerHTML = html;
    addClose(box);
    var local = document.getElementById("emergency-screen");  // the phone's own screen: the server's replaces it
    if (local) local.hidden = true;
    if (window.htmx) window.htmx.process(box);
    var heading = box.querySelector("h1, h2");
    if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
  }

  function addClose(box) {
    // A way back to the page; inside the full-screen emergency screen so it can be seen and reached.
    var wrapper = box.querySelector("[data-close-label]");
    var place = box.querySelector(".emergency-screen .narrow") || box.querySelector("section") || box;
    if (!wrapper) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-secondary btn-block";
    button.setAttribute("data-close-sync-outcome", "");
    button.textContent = wrapper.getAttribute("data-close-label");
    button.addEventListener("click", function () { box.remove(); });
    place.appendChild(button);
  }

  function showSyncResult(text) {
    var body = {};
    try { body = JSON.parse(text || "{}"); } catch (e) { body = {}; }
    if (body.sent_text) lastSent = body.sent_text;
    var note = document.getElementById("offline-saved");
    if (note && body.sent_text) { note.dataset.waitingText = note.dataset.waitingText || note.textContent; note.textContent = body.sent_text; note.setAttribute("data-sent", "1"); }
    if (body.tier === "urgent" || body.tier === "emergency") showOutcome(body.outcome_html);
  }

  function render() {
    return all().then(function (records) {
      var waiting = records.filter(function (r) { return !r.rejected; }).length;
      var rejected = records.length - waiting;
      document.querySelectorAll(".outbox-status").forEach(function (el) {
        el.textContent = "";
        var note = document.getElementById("offline-saved");
        var noteSays = note && !note.hidden && note.hasAttribute("data-sent");  // one "Sent at" is enough
        if (!records.length && lastSent && !noteSays) { el.textContent = lastSent; el.hidden = false; return; }
        if (!records.length) { el.hidden = true; return; }
        var text = [];
        if (waiting) text.push(plural(waiting, "1 entry waiting to send.", "%n entries waiting to send."));
        if (rejected) text.push(plural(rejected, "1 entry could not be sent. Please do that check again.",
          "%n entries could not be sent. Please do those checks again."));
        el.appendChild(document.createTextNode(text.join(" ") + " "));
        if (signedOut && waiting) {
          var link = document.createElement("a");
          link.href = "/login?next=" + encodeURIComponent(location.pathname);
          link.textContent = (window.companionText ? window.companionText("sign_in_to_send", "Sign in to send them") : "Sign in to send them");
          link.className = "outbox-signin";
          el.appendChild(link);
        }
        el.hidden = false;
      });
      return records.length;
    });
  }

  function askForSync() {
    // Background Sync where the browser has it (Chromium); the page events below cover the rest.
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then(function (reg) {
      if (reg.sync) return reg.sync.register("companion-outbox");
    }).catch(function () {});
  }

  function add(record) {
    if (!store) return Promise.reject(new Error("no IndexedDB"));
    return kv.set(record.client_entry_id, record, store).then(function () { askForSync(); return render(); });
  }

  function retryLater(response) {
    // 503: the server is briefly down. Keep the entries and try again when it says (Retry-After), even if
    // no page event (online, visible again) comes to start a flush.
    if (retryTimer) return;
    var seconds = Math.min(Math.max(parseInt(response.headers.get("Retry-After"), 10) || 30, 1), 300);
    retryTimer = setTimeout(function () { retryTimer = null; flush(); }, seconds * 1000);
  }

  function freshToken() {
    return fetch("/api/csrf", { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 401) { signedOut = true; return response.text().then(function () { return null; }); }
        if (response.status === 503) { retryLater(response); return null; }
        if (!response.ok) throw new Error("csrf " + response.status);
        signedOut = false;
        return response.json().then(function (body) { return body.csrf_token; });
      });
  }

  function send(record, token) {
    var payload = { kind: record.kind, answers: record.answers, recorded_at: record.recorded_at,
                    client_entry_id: record.client_entry_id, patient_id: record.patient_id };
    if (record.shell) payload.shell = true;  // made on the offline form (no weekly questions there)
    var headers = { "Idempotency-Key": record.client_entry_id, "X-CSRFToken": token, Accept: "application/json" };
    var body;
    var photos = record.photos || {};
    if (Object.keys(photos).length) {
      body = new FormData();
      body.append("payload", JSON.stringify(payload));
      Object.keys(photos).forEach(function (site) { body.append(site + ".photo", photos[site], photos[site].name || "photo"); });
    } else {
      body = JSON.stringify(payload);
      headers["Content-Type"] = "application/json";
    }
    // Read the whole answer so the connection is released, then judge it by its status.
    return fetch("/api/diary/entries", { method: "POST", credentials: "same-origin", headers: headers, body: body })
      .then(function (response) { return response.text().then(function (text) { response.bodyText = text; return response; }); });
  }

  function flushAll() {
    if (!store || navigator.onLine === false) return render();
    return all().then(function (records) {
      var pending = records.filter(function (r) { return !r.rejected; });
      if (!pending.length) return render();
      return freshToken().then(function (token) {
        if (!token) return render();
        var chain = Promise.resolve(true);
        pending.forEach(function (record) {
          chain = chain.then(function (goOn) {
            if (!goOn) return false;
            return send(record, token).then(function (response) {
              if (response.status === 200 || response.status === 201) {
                return kv.del(record.client_entry_id, store).then(function () { showSyncResult(response.bodyText); return true; });
              }
              if (response.status === 401) { signedOut = true; return false; }
              if (response.status === 503) { retryLater(response); return false; }
              if (response.status === 422 || response.status === 409) {
                record.rejected = true;
                return kv.set(record.client_entry_id, record, store).then(function () { return true; });
              }
              return false; // 400 (stale token), 5xx: keep it and try again later
            });
          });
        });
        return chain.then(render);
      });
    }).catch(function () { return render(); });
  }

  function flush() {
    // One flush at a time: three triggers at once share the same run.
    if (!flushing) flushing = flushAll().then(function (n) { flushing = null; return n; }, function () { flushing = null; });
    return flushing;
  }

  function clear() { return store ? kv.clear(store).then(render) : Promise.resolve(0); }

  function beforeLogout() {
    return flush().then(all).then(function (records) {
      if (!records.length) return true;
      var n = records.length;
      var ok = window.confirm(plural(n, "1 entry has not been sent yet. Discard it and sign out?",
        "%n entries have not been sent yet. Discard them and sign out?"));
      return ok ? clear().then(function () { return true; }) : false;
    });
  }

  window.companionOutbox = { add: add, flush: flush, count: function () { return all().then(function (r) { return r.length; }); },
                             render: render, clear: clear, beforeLogout: beforeLogout };

  window.addEventListener("online", flush);
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "visible") flush(); });
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "flush-outbox") flush();
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", flush); else flush();
})();
