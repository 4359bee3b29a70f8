"""The installable web app: manifest, service worker at /sw.js, offline page."""
