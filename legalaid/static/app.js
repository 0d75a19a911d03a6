/* Small behaviours of the pages that load this file (the payable queue, the provider's score).
   The Content-Security-Policy (legalaid/security.py) runs only scripts the service serves as files,
   so no page carries inline script or on… handlers; an element asks for a behaviour with a data-
   attribute instead. */
(function () {
  "use strict";

  /* <button data-print>: print the page. */
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target && target.closest && target.closest("[data-print]")) {
      window.print();
    }
  });

  /* <input type=checkbox data-choose-all="NAME">: ticks or clears every checkbox named NAME. */
  var boxes = document.querySelectorAll("input[data-choose-all]");
  Array.prototype.forEach.call(boxes, function (all) {
    all.addEventListener("change", function () {
      var name = all.getAttribute("data-choose-all");
      var chosen = document.querySelectorAll("input[type=checkbox]");
      Array.prototype.forEach.call(chosen, function (box) {
        if (box.name === name) { box.checked = all.checked; }
      });
    });
  });

  /* <input data-filter-rows="TABLE-ID">: as the person types, show only the rows of that table whose
     data-filter-text holds the words typed (without JavaScript the search button asks the server). */
  var filters = document.querySelectorAll("input[data-filter-rows]");
  Array.prototype.forEach.call(filters, function (input) {
    input.addEventListener("input", function () {
      var table = document.getElementById(input.getAttribute("data-filter-rows"));
      if (!table) { return; }
      var words = input.value.trim().toLowerCase();
      var rows = table.querySelectorAll("tr[data-filter-text]");
      Array.prototype.forEach.call(rows, function (row) {
        row.hidden = words !== "" && row.getAttribute("data-filter-text").indexOf(words) === -1;
      });
    });
  });
})();
