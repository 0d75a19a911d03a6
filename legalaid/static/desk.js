/* The front desk: while a phone number is typed, the caller's earlier consultations and cases are
   fetched (the same fragment the page renders after "Show this phone's earlier consultations") and
   put in place. Without this script the button does the same. */
(function () {
  "use strict";
  var input = document.querySelector("input[data-earlier-url]");
  if (!input) { return; }
  var target = document.getElementById(input.getAttribute("data-earlier-target"));
  var url = input.getAttribute("data-earlier-url");
  var timer = null, asked = "";

  function lookUp() {
    var digits = input.value.replace(/\D/g, "");
    if (digits.length < 7 || digits === asked) { return; }
    asked = digits;
    fetch(url + "?phone=" + encodeURIComponent(input.value), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html !== null && asked === digits) { target.innerHTML = html; }
      })
      .catch(function () { /* the button still works */ });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(lookUp, 250);
  });
  if (input.value) { lookUp(); }
})();
