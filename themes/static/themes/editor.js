// Live preview: as colours or the font change, the preview restyles with the unsaved values.
// Without JavaScript the preview shows the saved draft, which is all the editor needs.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-theme-form]");
    var frame = document.querySelector("iframe.theme-preview");
    if (!form || !frame) { return; }
    var base = form.getAttribute("data-preview-css");
    var fields = ["primary", "accent", "text", "background", "link"];
    function update() {
      var params = new URLSearchParams();
      fields.forEach(function (name) {
        var input = form.elements.namedItem(name);
        if (input && input.value) { params.set(name, input.value); }
      });
      var font = form.querySelector("input[name=font]:checked");
      if (font) { params.set("font", font.value); }
      var doc = frame.contentDocument;
      var link = doc && doc.getElementById("theme-stylesheet");
      if (link) { link.setAttribute("href", base + "?" + params.toString()); }
    }
    form.addEventListener("input", update);
    form.addEventListener("change", update);
  });
})();
