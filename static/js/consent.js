/* Consent session: signature pads (signature_pad, UMD global SignaturePad), draw-or-type switch, "tick all". */
(function () {
  "use strict";

  // The canvas keeps a CSS size; its pixel size follows the screen density so lines stay sharp.
  function fitCanvas(canvas, pad) {
    var ratio = Math.max(window.devicePixelRatio || 1, 1);
    var data = pad.isEmpty() ? null : pad.toData();
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    pad.clear();
    if (data) pad.fromData(data);
  }

  function initSigner(fieldset) {
    if (fieldset.dataset.ready) return;
    fieldset.dataset.ready = "1";
    var canvas = fieldset.querySelector("canvas");
    var hidden = fieldset.querySelector("[data-sig-value]");
    var padBox = fieldset.querySelector("[data-sig-pad]");
    var typedBox = fieldset.querySelector("[data-sig-typed]");
    var pad = null;

    function store() { hidden.value = pad && !pad.isEmpty() ? pad.toDataURL("image/png") : ""; }

    function startPad() {
      if (pad || !window.SignaturePad || padBox.hidden) return;
      pad = new window.SignaturePad(canvas, { penColor: "#111111", minWidth: 1, maxWidth: 2.8 });
      fitCanvas(canvas, pad);
      // After a 422 the drawn signature comes back in the hidden field: show it again.
      if (hidden.value) pad.fromDataURL(hidden.value, { ratio: 1, width: canvas.offsetWidth, height: canvas.offsetHeight });
      pad.addEventListener("endStroke", store);
      window.addEventListener("resize", function () { fitCanvas(canvas, pad); store(); });
    }

    fieldset.querySelectorAll("[data-sign-method]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        var drawn = radio.value === "drawn";
        padBox.hidden = !drawn;
        typedBox.hidden = drawn;
        if (drawn) startPad();
        (drawn ? canvas : typedBox.querySelector("input")).focus();
      });
    });
    fieldset.querySelector("[data-sig-clear]").addEventListener("click", function () {
      if (pad) pad.clear();
      hidden.value = "";
    });
    startPad();
  }

  function init(root) {
    root.querySelectorAll("[data-signer]").forEach(initSigner);
    root.querySelectorAll("[data-check-all]").forEach(function (button) {
      if (button.dataset.ready) return;
      button.dataset.ready = "1";
      button.addEventListener("click", function () {
        var box = document.getElementById(button.dataset.checkAll);
        box.querySelectorAll("input[type=checkbox]").forEach(function (c) { c.checked = true; });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.detail.elt); });
})();
