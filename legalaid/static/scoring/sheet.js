/* Live total and grade while a supervisor scores a sheet. The same rule as the server
   (supervision/scoring/rules.py): N/A items are left out, the total is scaled to 100 over the
   applicable maximums and rounded half-up to 0.1 once; any veto means fail. Integer tenths
   keep the arithmetic exact. Without this script the "Recalculate" button does the same. */
(function () {
  "use strict";
  var form = document.getElementById("sheet-form");
  if (!form) { return; }
  var bands = JSON.parse(form.getAttribute("data-bands"));
  var labels = JSON.parse(form.getAttribute("data-grade-labels"));
  var totalOut = document.getElementById("live-total");
  var gradeOut = document.getElementById("live-grade");

  function tenths(text) {
    var m = /^\s*(\d+)(?:\.(\d))?\s*$/.exec(text || "");
    if (!m) { return null; }
    return parseInt(m[1], 10) * 10 + (m[2] ? parseInt(m[2], 10) : 0);
  }

  function recalculate() {
    var scored = 0, applicable = 0, valid = true;
    var rows = form.querySelectorAll("tr.score-item");
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i];
      var max = tenths(row.getAttribute("data-max"));
      var na = row.querySelector("input[type=checkbox]").checked;
      var input = row.querySelector("input[type=number]");
      input.disabled = na;
      if (na) { continue; }
      applicable += max;
      if (input.value === "") { continue; }
      var p = tenths(input.value);
      if (p === null || p > max) { valid = false; input.setAttribute("aria-invalid", "true"); continue; }
      input.removeAttribute("aria-invalid");
      scored += p;
    }
    if (!valid || applicable === 0) { totalOut.textContent = "—"; gradeOut.textContent = ""; return; }
    // total in tenths = scored × 1000 / applicable, half-up: floor((2·n + d) / (2·d))
    var t = Math.floor((2 * scored * 1000 + applicable) / (2 * applicable));
    var total = t / 10;
    var veto = form.querySelectorAll("input[name=veto]:checked").length > 0;
    var grade = "fail";
    if (!veto) {
      if (total >= bands.excellent) { grade = "excellent"; }
      else if (total >= bands.good) { grade = "good"; }
      else if (total >= bands.pass) { grade = "pass"; }
    }
    totalOut.textContent = total.toFixed(1);
    gradeOut.textContent = labels[grade];
  }

  form.addEventListener("input", recalculate);
  form.addEventListener("change", recalculate);
  // A disabled input is not posted: re-enable before sending so the server sees the form as typed.
  form.addEventListener("submit", function () {
    var inputs = form.querySelectorAll("input[type=number]");
    for (var i = 0; i < inputs.length; i++) { inputs[i].disabled = false; }
  });
  recalculate();
}());
