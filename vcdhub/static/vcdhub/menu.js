// The site menu folds behind a "Menu" button on narrow screens (a disclosure button: aria-expanded says whether
// it is open). On wide screens the button is hidden and the menu always shows. Without script nothing folds.
(function () {
  "use strict";
  var narrow = window.matchMedia("(max-width: 760px)");

  function setUp() {
    var button = document.querySelector(".menu-toggle");
    var menu = document.getElementById("site-menu");
    if (!button || !menu) { return; }

    function show(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("folded", !open);
    }

    function fit() {
      button.hidden = !narrow.matches;
      show(!narrow.matches);
    }

    button.addEventListener("click", function () { show(button.getAttribute("aria-expanded") !== "true"); });
    if (narrow.addEventListener) { narrow.addEventListener("change", fit); }
    fit();
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", setUp); } else { setUp(); }
})();
