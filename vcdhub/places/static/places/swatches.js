// Colour swatches and legend keys take their colour from a data-swatch attribute, set through the DOM (which the
// Content-Security-Policy allows) rather than in a style attribute (which it does not). Also after htmx swaps in
// an area panel. Without script the class is still named in text beside each swatch.
(function () {
  "use strict";
  function paint(root) {
    root.querySelectorAll("[data-swatch]").forEach(function (el) {
      el.style.backgroundColor = el.getAttribute("data-swatch");
    });
  }
  document.addEventListener("DOMContentLoaded", function () { paint(document); });
  document.addEventListener("htmx:afterSettle", function (event) { paint(event.target); });
})();
