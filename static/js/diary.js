/* Diary forms: show follow-up questions only when an answer needs them (no eval), keep entries made
   offline in the outbox, and show the emergency screen at once when an answer matches an emergency rule. */
(function () {
  "use strict";

  function readJSON(id) {
    var el = document.getElementById(id);
    try { return el ? JSON.parse(el.textContent) : []; } catch (e) { return []; }
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  /* ---- progressive disclosure: enable_when is ANY-of (link id, value) on earlier, enabled items ---- */
  function checkedValues(form, name) {
    var out = [];
    form.querySelectorAll("input").forEach(function (input) {
      if (input.name === name && (input.type === "radio" || input.type === "checkbox") && input.checked) out.push(input.value);
    });
    return out;
  }

  function applyEnableWhen(form) {
    var enabled = {};
    form.querySelectorAll(".dq[data-link]").forEach(function (item) {
      var rules = item.dataset.enableWhen ? JSON.parse(item.dataset.enableWhen) : [];
      var on = !rules.length || rules.some(function (pair) {
        return enabled[pair[0]] && checkedValues(form, pair[0]).indexOf(pair[1]) !== -1;
      });
      enabled[item.dataset.link] = on;
      item.hidden = !on;
    });
    form.querySelectorAll(".dq-group").forEach(function (group) {
      var items = group.querySelectorAll(".dq");
      group.hidden = items.length > 0 && Array.prototype.every.call(items, function (i) { return i.hidden; });
    });
  }

  /* ---- the answers as the normaliser's observations (enough for the emergency check) ---- */
  function answersOf(form) {
    var answers = {}, photos = {};
    new FormData(form).forEach(function (value, key) {
      if (key === "csrf_token" || key === "client_entry_id" || key === "recorded_at") return;
      if (value instanceof Blob) { if (value.size) photos[key.replace(/\.photo$/, "")] = value; return; }
      if (value === "") return;
      var input = form.querySelector("[name='" + key + "']");
      if (input && input.type === "checkbox") (answers[key] = answers[key] || []).push(value);
      else answers[key] = value;
    });
    return { answers: answers, photos: photos };
  }

  function celsius(text, unit) {
    var n = parseFloat(String(text).replace(",", "."));
    if (isNaN(n)) return null;
    if (!unit) unit = n >= 93 ? "F" : "C";
    var c = unit === "F" ? (n - 32) * 5 / 9 : n;
    return Math.round(c * 10) / 10;
  }

  function observations(answers, fields) {
    var obs = {}; // key -> list of candidate values (two incisions may feed one key)
    fields.forEach(function (f) {
      var raw = answers[f.id];
      if (raw === undefined) return;
      var value = null;
      if (f.kind === "boolean") value = raw === "yes" ? true : raw === "no" ? false : null;
      else if (f.kind === "multi") value = [].concat(raw);
      else if (f.kind === "integer") value = /^\d+$/.test(raw) ? parseInt(raw, 10) : null;
      else if (f.kind === "decimal") value = f.units ? celsius(raw, answers[f.id + ".unit"]) : parseFloat(raw);
      else value = raw;
      if (value === null || (typeof value === "number" && isNaN(value))) return;
      (obs[f.obs] = obs[f.obs] || []).push(value);
    });
    return obs;
  }

  function holds(candidates, op, want) {
    return (candidates || []).some(function (v) {
      var num = typeof v === "number" && typeof want === "number";
      switch (op) {
        case "eq": return v === want;
        case "lt": return num && v < want;
        case "le": return num && v <= want;
        case "gt": return num && v > want;
        case "ge": return num && v >= want;
        case "in": return Array.isArray(want) && want.indexOf(v) !== -1;
        case "contains": return Array.isArray(v) && v.indexOf(want) !== -1;
        default: return false;
      }
    });
  }

  function isEmergency(obs, rules) {
    return rules.some(function (rule) {
      if (rule.uses_context || rule.tier !== "emergency") return false;
      return rule.when.every(function (c) { return holds(obs[c.key], c.op, c.value); });
    });
  }

  function showEmergency() {
    var screen = document.getElementById("emergency-screen");
    if (!screen) return;
    screen.hidden = false;
    screen.focus();
  }

  /* ---- offline: keep the entry on the phone, then start a fresh form ---- */
  function keepOffline(form) {
    var data = answersOf(form);
    var record = { client_entry_id: form.elements.client_entry_id.value, kind: form.dataset.kind,
                   patient_id: parseInt(form.dataset.patient, 10), recorded_at: new Date().toISOString(),
                   answers: data.answers, photos: data.photos };
    var emergency = isEmergency(observations(data.answers, readJSON("diary-fields")), readJSON("emergency-rules"));
    if (emergency) showEmergency();
    var saved = window.companionOutbox ? window.companionOutbox.add(record) : Promise.reject(new Error("no outbox"));
    return saved.then(function () {
      form.reset();
      form.elements.client_entry_id.value = uuid();
      applyEnableWhen(form);
      var note = document.getElementById("offline-saved");
      if (note) { note.hidden = false; if (!emergency) { note.focus(); window.scrollTo(0, 0); } }
    }).catch(function () {
      if (window.companionToast) window.companionToast((window.companionText ? window.companionText("not_saved_phone", "Could not save on this phone. Please try again.") : "Could not save on this phone. Please try again."));
    });
  }

  function wire(form) {
    if (form.dataset.wired) return;
    form.dataset.wired = "1";
    applyEnableWhen(form);
    form.addEventListener("change", function () { applyEnableWhen(form); });
    form.addEventListener("submit", function () { form.elements.recorded_at.value = new Date().toISOString(); }, true);
    form.addEventListener("htmx:beforeRequest", function (event) {
      var note = document.getElementById("offline-saved");
      if (note) note.hidden = true;
      if (navigator.onLine === false) { event.preventDefault(); keepOffline(form); }
    });
    form.addEventListener("htmx:sendError", function () { keepOffline(form); });
    // The server is briefly unavailable (say a database restart): keep the entry like an offline one;
    // the outbox sends it when the server is back.
    form.addEventListener("htmx:responseError", function (event) {
      var status = event.detail.xhr ? event.detail.xhr.status : 0;
      if (status === 502 || status === 503 || status === 504) { event.detail.keptOffline = true; keepOffline(form); }
    });
  }

  function wireAll() { document.querySelectorAll("form[data-diary-form]").forEach(wire); }

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-close-emergency]")) document.getElementById("emergency-screen").hidden = true;
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    wireAll();
    if (event.detail.target.id === "entry-area" && event.detail.target.querySelector("[data-entry-saved]")) {
      var heading = event.detail.target.querySelector("h1, h2");
      if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
    }
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wireAll); else wireAll();
})();
