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

  function inList(list, want) {
    return Array.isArray(list) && Array.isArray(want) && list.every(function (x) { return want.indexOf(x) !== -1; });
  }

  function allHold(facts, conditions) {
    return conditions.every(function (c) {
      if (c.op === "ne") return !(facts[c.key] || []).some(function (v) { return v === c.value; });
      if (c.op === "subset") return (facts[c.key] || []).every(function (v) { return inList(v, c.value); });
      if (c.op === "only") return (facts[c.key] || []).some(function (v) { return v.length > 0 && inList(v, c.value); });
      return holds(facts[c.key], c.op, c.value);
    });
  }

  function matches(facts, rule, hasContext) {
    if (rule.uses_context && !hasContext) return false;  // no context kept on this phone: as before
    if (!allHold(facts, rule.when)) return false;
    return !(rule.unless || []).some(function (conditions) { return allHold(facts, conditions); });
  }

  /* ---- the rules context kept from the last online page (app.js): dates become the clinic's day counts ---- */
  function clinicToday(tz) {
    var parts = {};
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: tz || "UTC", year: "numeric", month: "numeric", day: "numeric" })
        .formatToParts(new Date()).forEach(function (p) { parts[p.type] = parseInt(p.value, 10); });
    } catch (e) { return null; }
    return Date.UTC(parts.year, parts.month - 1, parts.day);
  }

  function keptContext() {
    var kept = null;
    try { kept = JSON.parse(localStorage.getItem("companion-rules-context") || "null"); } catch (e) { kept = null; }
    var today = kept ? clinicToday(kept.timezone) : null;
    if (today === null) return null;
    function daysSince(iso) {
      var p = String(iso).split("-");
      return Math.round((today - Date.UTC(+p[0], +p[1] - 1, +p[2])) / 86400000);
    }
    var ctx = {}, since = { refill_on: "days_since_refill", dose_increase_on: "days_since_dose_increase",
                            implanted_on: "days_since_implant", mri_on: "days_since_mri" };
    Object.keys(since).forEach(function (k) { if (kept[k]) ctx[since[k]] = daysSince(kept[k]); });
    if (kept.low_reservoir_on) ctx.days_until_low_reservoir = -daysSince(kept.low_reservoir_on);
    if (kept.refill_due_on) ctx.refill_overdue = daysSince(kept.refill_due_on) > 0;
    ["drugs", "previous_drugs", "pain_baseline", "dose_increases_last_90_days"].forEach(function (k) {
      if (kept[k] !== undefined) ctx[k] = kept[k];
    });
    return ctx;
  }

  // The answers with the kept context (one candidate each) and pain_rise, the one derived key.
  function withContext(obs, ctx) {
    var facts = Object.assign({}, obs);
    Object.keys(ctx).forEach(function (k) { facts[k] = [ctx[k]]; });
    var now = (obs.pain_now || [])[0], base = ctx.pain_baseline;
    if (typeof now === "number" && typeof base === "number") facts.pain_rise = [Math.round((now - base) * 1e6) / 1e6];
    return facts;
  }

  // The most severe tier the offline rules give ("emergency", "urgent" or null), as the server would.
  function tierOf(obs, rules) {
    var ctx = keptContext(), facts = ctx ? withContext(obs, ctx) : obs;
    var hit = rules.filter(function (rule) { return matches(facts, rule, ctx !== null); });
    if (hit.some(function (r) { return r.tier === "emergency"; })) return "emergency";
    return hit.some(function (r) { return r.tier === "urgent"; }) ? "urgent" : null;
  }

  // The drug names of the pump card kept on this phone (opt-in cache), to name them on the emergency screen.
  function namePumpDrugs(screen) {
    var url = screen.getAttribute("data-card-url"), slot = screen.querySelector("[data-pump-drugs]");
    if (!slot) return;
    var kept = "caches" in window && url ? caches.open("companion-card").then(function (cache) { return cache.match(url); })
      : Promise.resolve(null);
    kept.then(function (response) {
      return response ? response.text() : "";
    }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var names = Array.prototype.map.call(doc.querySelectorAll(".pump-drug"), function (n) { return n.textContent.trim(); });
      if (!names.length) names = (keptContext() || {}).drugs || [];  // no kept card: the drugs of the kept context
      if (!names.length) return;
      slot.textContent = slot.getAttribute("data-template").replace("%s", names.join(", "));
      slot.hidden = false;
    }).catch(function () { /* no kept card: the screen still says to show the card */ });
  }

  function showEmergency() {
    var screen = document.getElementById("emergency-screen");
    if (!screen) return;
    namePumpDrugs(screen);
    screen.hidden = false;
    screen.focus();
  }

  // The clinic's number cached with the page at sign-in: the out-of-hours one outside the cached hours.
  function clinicNumber() {
    var c = readJSON("clinic-contact");
    if (!c || !c.phone) return "";
    if (!c.out_of_hours_phone) return c.phone;
    var parts = {};
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: c.timezone || "UTC", weekday: "short", hour: "numeric", hourCycle: "h23" })
        .formatToParts(new Date()).forEach(function (p) { parts[p.type] = p.value; });
    } catch (e) { return c.phone; }
    var day = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(parts.weekday), hour = parseInt(parts.hour, 10);
    var open = (c.working_days || []).indexOf(day) !== -1 && hour >= c.hours_start && hour < c.hours_end;
    return open ? c.phone : c.out_of_hours_phone;
  }

  function showUrgent() {
    var box = document.getElementById("urgent-offline"), number = clinicNumber();
    if (!box) return;
    var link = box.querySelector("[data-clinic-call]");
    if (link && number) {
      link.href = "tel:" + number.replace(/[^+0-9]/g, "");
      link.textContent = link.getAttribute("data-template").replace("%s", number);
      link.hidden = false;
    }
    box.hidden = false;
    box.focus();
    window.scrollTo(0, 0);
  }

  function resetSavedNote(note) {
    // The outbox may have turned the note into "Sent at 14:02" (outbox.js): a new entry waits again.
    if (note.dataset.waitingText) { note.textContent = note.dataset.waitingText; note.removeAttribute("data-sent"); }
  }

  /* ---- offline: keep the entry on the phone, then start a fresh form ---- */
  function keepOffline(form) {
    var data = answersOf(form);
    var record = { client_entry_id: form.elements.client_entry_id.value, kind: form.dataset.kind,
                   patient_id: parseInt(form.dataset.patient, 10) || null, recorded_at: new Date().toISOString(),
                   answers: data.answers, photos: data.photos, shell: form.hasAttribute("data-shell") };
    var tier = tierOf(observations(data.answers, readJSON("diary-fields")), readJSON("emergency-rules") || []);
    var emergency = tier === "emergency";
    if (emergency) showEmergency(); else if (tier === "urgent") showUrgent();
    var saved = window.companionOutbox ? window.companionOutbox.add(record) : Promise.reject(new Error("no outbox"));
    return saved.then(function () {
      form.reset();
      form.elements.client_entry_id.value = uuid();
      applyEnableWhen(form);
      var note = document.getElementById("offline-saved");
      if (note) { resetSavedNote(note); note.hidden = false; if (!tier) { note.focus(); window.scrollTo(0, 0); } }
    }).catch(function () {
      if (window.companionToast) window.companionToast((window.companionText ? window.companionText("not_saved_phone", "Could not save on this phone. Please try again.") : "Could not save on this phone. Please try again."));
    });
  }

  function wireShell(form) {
    // The offline form is a kept copy: give each visit its own entry id, and send every entry through the
    // outbox (its sign-in token is old, and the outbox fetches a fresh one and shows the result when sent).
    if (!form.hasAttribute("data-shell")) return false;
    form.elements.client_entry_id.value = uuid();
    form.addEventListener("submit", function (event) { event.preventDefault(); keepOffline(form).then(flushSoon); });
    return true;
  }

  function focusShortcut(form) {
    // "My pump is beeping" (/checkin?pump_alarm=1): the alarm question shown and focused. The server marks it;
    // the offline shell cannot, so the page's own address says so.
    var target = form.querySelector(".dq[data-focus]");
    if (!target && form.dataset.kind === "checkin" && /[?&]pump_alarm=1(&|$)/.test(location.search)) {
      var yes = form.querySelector("input[name='anything_new'][value='yes']");
      if (yes) { yes.checked = true; applyEnableWhen(form); }
      target = form.querySelector(".dq[data-link='pump_alarm']");
    }
    if (!target || target.hidden) return;
    var input = target.querySelector("input, textarea");
    target.scrollIntoView({ block: "start" });
    if (input) input.focus({ preventScroll: true });
  }

  function flushSoon() { if (window.companionOutbox && navigator.onLine !== false) window.companionOutbox.flush(); }

  function wire(form) {
    if (form.dataset.wired) return;
    form.dataset.wired = "1";
    applyEnableWhen(form);
    form.addEventListener("change", function () { applyEnableWhen(form); });
    form.addEventListener("submit", function () { form.elements.recorded_at.value = new Date().toISOString(); }, true);
    wireShell(form);
    focusShortcut(form);
    form.addEventListener("htmx:beforeRequest", function (event) {
      var note = document.getElementById("offline-saved"), urgent = document.getElementById("urgent-offline");
      if (note) note.hidden = true;
      if (urgent) urgent.hidden = true;
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
