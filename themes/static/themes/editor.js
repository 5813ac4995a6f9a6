// The theme editor's enhancements. Each colour's hex field and its picker follow each other
// (a valid hex moves the picker; picking writes the hex), and the live preview restyles with
// the unsaved colours and font. Without JavaScript both controls are sent and the server
// keeps whichever was changed; the preview then shows the saved draft.
(function () {
  "use strict";
  var HEX = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/;

  // "#ABC", "abc" or "#AABBCC" → "#aabbcc"; "" when it is not a colour.
  function normalise(value) {
    var found = HEX.exec(String(value).trim().toLowerCase());
    if (!found) { return ""; }
    var digits = found[1];
    if (digits.length === 3) {
      digits = digits.charAt(0) + digits.charAt(0) + digits.charAt(1) + digits.charAt(1) +
        digits.charAt(2) + digits.charAt(2);
    }
    return "#" + digits;
  }

  function pairUp(field) {
    var picker = field.querySelector("[data-colour-picker]");
    var hex = field.querySelector("[data-colour-hex]");
    if (!picker || !hex) { return; }
    hex.addEventListener("input", function () {
      var colour = normalise(hex.value);
      if (colour && picker.value !== colour) { picker.value = colour; }
    });
    // On leaving the field, a valid colour is written out in full (#abc becomes #aabbcc).
    hex.addEventListener("change", function () {
      var colour = normalise(hex.value);
      if (colour) { hex.value = colour; }
    });
    picker.addEventListener("input", function () { hex.value = picker.value; });
    picker.addEventListener("change", function () { hex.value = picker.value; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-theme-form]");
    if (!form) { return; }
    Array.prototype.forEach.call(form.querySelectorAll("[data-colour-field]"), pairUp);

    var frame = document.querySelector("iframe.theme-preview");
    if (!frame) { return; }
    var base = form.getAttribute("data-preview-css");
    var fields = ["primary", "accent", "text", "background", "link"];
    function update() {
      var params = new URLSearchParams();
      fields.forEach(function (name) {
        var input = form.elements.namedItem(name);
        var colour = input ? normalise(input.value) : "";
        if (colour) { params.set(name, colour); }
      });
      var font = form.querySelector("input[name=font]:checked");
      if (font) { params.set("font", font.value); }
      var doc = frame.contentDocument;
      var link = doc && doc.getElementById("theme-stylesheet");
      if (link) { link.setAttribute("href", base + "?" + params.toString()); }
    }
    // The pairing listeners are added first, so a picked colour is in its hex field by now.
    form.addEventListener("input", update);
    form.addEventListener("change", update);
  });
})();
