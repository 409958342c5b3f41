// The filter form: a search box narrows each long list (boroughs, wards, crime types), and after the results
// are swapped in (htmx), a live region says how many crimes match, so a screen reader hears the result while
// keyboard focus stays where it was (the form is not replaced).
(function () {
  "use strict";

  function narrow(input) {
    var select = document.getElementById(input.dataset.for);
    if (!select) { return; }
    var words = input.value.trim().toLowerCase();
    Array.prototype.forEach.call(select.options, function (option) {
      option.hidden = words !== "" && !option.selected && option.text.toLowerCase().indexOf(words) === -1;
    });
  }

  document.addEventListener("input", function (event) {
    if (event.target.classList && event.target.classList.contains("option-search")) { narrow(event.target); }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var status = document.getElementById("explorer-status");
    var total = document.getElementById("total-count");
    if (!status || (event.target && event.target.tagName === "SELECT")) { return; }  // not a ward list refresh
    var missing = document.getElementById("without-data");
    status.textContent = (total ? total.textContent + " crimes match." : "The filter needs fixing.") +
      (missing ? " " + missing.textContent : "");
  });
})();
