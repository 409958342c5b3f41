// Show only the options of the analysis chosen (without JavaScript every option shows, and all are checked).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var kind = document.getElementById("id_kind");
    var options = document.querySelectorAll("#options [data-kinds]");
    if (!kind) { return; }
    function update() {
      options.forEach(function (div) {
        div.hidden = div.dataset.kinds.split(" ").indexOf(kind.value) < 0;
      });
    }
    kind.addEventListener("change", update);
    update();
  });
})();
