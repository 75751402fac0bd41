// The staff admin: send each form once, focus the error summary, count characters in long text.
"use strict";

(function () {
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sending === "1") { event.preventDefault(); return; }
      form.dataset.sending = "1";
    });
  });

  var focusTarget = document.querySelector("[data-focus-on-load]");
  if (focusTarget) { focusTarget.focus(); }

  document.querySelectorAll("[data-count-for]").forEach(function (counter) {
    var field = document.getElementById(counter.dataset.countFor);
    if (!field) { return; }
    var max = Number(field.dataset.maxChars);
    var update = function () {
      var used = Array.from(field.value).length;  // characters, not UTF-16 units
      counter.textContent = used + " / " + max;
      counter.classList.toggle("field__count--over", used > max);
    };
    field.addEventListener("input", update);
    update();
  });
})();
