// Forms on every face: send each form once, show the error summary first, count characters.
// No strings live here: every message is rendered (and translated) by the server.
"use strict";

(function () {
  // A form is sent once, however many times it is tapped.
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sending === "1") {
        event.preventDefault();
        return;
      }
      form.dataset.sending = "1";
      form.querySelectorAll("button").forEach(function (button) {
        button.setAttribute("aria-disabled", "true");
      });
    });
  });

  // Move focus to an error summary or confirmation, so it is read out and seen first.
  var focusTarget = document.querySelector("[data-focus-on-load]");
  if (focusTarget) { focusTarget.focus(); }

  // Character counters for long text.
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
