/* Companion service worker: the offline page and static files only; never patient pages,
   except the pump card, and only after the person asks for it ("save-card"). */
"use strict";
var CACHE = "companion-shell-v1";
var CARD_CACHE = "companion-card";  // opt-in only; app.js deletes every cache on sign-out
var CARD_URL = "/pump/card/offline";
var SHELL = ["/offline", "/static/css/app.css", "/static/js/app.js", "/static/vendor/htmx.min.js",
             "/static/js/diary.js", "/static/js/outbox.js", "/static/vendor/idb-keyval.js",
             "/icons/icon-192.png", "/manifest.webmanifest"];
// The check-in and wound-check forms with no patient data in them (issue 16), kept after sign-in so that
// Check-in opens offline and keeps the entry in the outbox. Page path -> the shell that stands in for it.
var FORM_SHELLS = { "/checkin": "/checkin/offline-form", "/wound": "/wound/offline-form" };

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(SHELL.map(function (url) { return new Request(url, { cache: "reload", credentials: "same-origin" }); }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE && k !== CARD_CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function isStatic(url) {
  return url.pathname.indexOf("/static/") === 0 || url.pathname.indexOf("/icons/") === 0 ||
         url.pathname === "/manifest.webmanifest";
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    // Pages hold patient data: always from the network, never stored; offline shows guidance.
    event.respondWith(fetch(request).catch(function () {
      // Pump pages fall back to the saved card if the person kept one; everything else to /offline.
      if (FORM_SHELLS[url.pathname]) return formShell(url.pathname);
      if (url.pathname.indexOf("/pump") === 0) {
        return caches.open(CARD_CACHE).then(function (cache) {
          return cache.match(CARD_URL, { ignoreVary: true, ignoreSearch: true });
        }).then(function (hit) { return hit || caches.match("/offline"); });
      }
      return caches.match("/offline");
    }));
    return;
  }
  if (isStatic(url)) {
    event.respondWith(caches.match(request, { ignoreSearch: true }).then(function (hit) {
      var network = fetch(request).then(function (response) {
        if (response.ok) {
          var copy = response.clone();
          caches.open(CACHE).then(function (cache) { cache.put(url.pathname, copy); });
        }
        return response;
      });
      return hit || network;
    }));
  }
});

function formShell(pathname) {
  // The kept form if there is one (signed in before), else the offline guidance.
  return caches.open(CACHE).then(function (cache) {
    return cache.match(FORM_SHELLS[pathname], { ignoreVary: true, ignoreSearch: true });
  }).then(function (hit) { return hit || caches.match("/offline"); });
}

function refreshFormShells() {
  // Only a signed-in patient or caregiver gets a shell (others get a redirect or 403, which is not kept).
  return caches.open(CACHE).then(function (cache) {
    return Promise.all(Object.keys(FORM_SHELLS).map(function (page) {
      var shell = FORM_SHELLS[page];
      return fetch(shell, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
        if (response.ok && !response.redirected) return cache.put(shell, response);
        return cache.delete(shell);
      }).catch(function () {});
    }));
  });
}

function saveCard(event) {
  var port = event.ports && event.ports[0];
  var reply = function (ok) { if (port) port.postMessage({ type: "save-card", ok: ok }); };
  event.waitUntil(fetch(CARD_URL, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
    if (!response.ok || response.redirected) { reply(false); return; }
    return caches.open(CARD_CACHE).then(function (cache) { return cache.put(CARD_URL, response); })
      .then(function () { reply(true); });
  }).catch(function () { reply(false); }));
}

self.addEventListener("message", function (event) {
  if (event.data && event.data.type === "save-card") { saveCard(event); return; }
  if (event.data && event.data.type === "refresh-offline") {
    event.waitUntil(Promise.all([fetch("/offline", { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      if (response.ok) return caches.open(CACHE).then(function (cache) { return cache.put("/offline", response); });
    }).catch(function () {}), refreshFormShells()]));
  }
});

self.addEventListener("sync", function (event) {
  if (event.tag === "companion-outbox") {
    event.waitUntil(self.clients.matchAll().then(function (clients) {
      clients.forEach(function (client) { client.postMessage({ type: "flush-outbox" }); });
    }));
  }
});

self.addEventListener("push", function (event) {
  // Payloads never hold health details: just a nudge to open the app.
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = {}; }
  event.waitUntil(self.registration.showNotification(data.title || "Companion",
    { body: data.body || "Open Companion to see a new message.", icon: "/icons/icon-192.png", tag: data.tag || "companion" }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  event.waitUntil(self.clients.openWindow("/"));
});
