// Leaving a task for the home screen: home ends a visit (the server forgets every draft when it
// shows home), so a person with answers on the way is asked once whether to throw them away.
// No strings live here: the dialog is rendered (and translated) by the server.
"use strict";

(function () {
  var body = document.body;
  var dialog = document.getElementById("leave-dialog");
  if (!dialog || !body.dataset.homeUrl) { return; }
  var homePath = new URL(body.dataset.homeUrl, window.location.href).pathname;
  var keepButton = dialog.querySelector("[data-leave-keep]");
  var discardButton = dialog.querySelector("[data-leave-discard]");
  var target = null;
  var lastFocus = null;
  var madeInert = [];

  // A field changed from what the page came with (typed, ticked or chosen, not yet sent).
  function changed(el) {
    if (el.disabled || /^(hidden|search|submit|button|reset)$/.test(el.type)) { return false; }
    if (el.type === "checkbox" || el.type === "radio") { return el.checked !== el.defaultChecked; }
    if (el.tagName === "SELECT") {
      return Array.prototype.some.call(el.options, function (option) {
        return option.selected !== option.defaultSelected;
      });
    }
    return el.value !== el.defaultValue;
  }

  function holdsAnswers() {
    if (body.dataset.draft === "true") { return true; }  // answers kept on the server
    if (document.querySelector("[data-holds-answers]")) { return true; }  // answers in the URL
    return Array.prototype.some.call(
      document.querySelectorAll("main input, main textarea, main select"), changed
    );
  }

  function setInert(on) {
    if (on) {
      madeInert = Array.prototype.filter.call(body.children, function (el) {
        return el !== dialog && el.tagName !== "SCRIPT" && !el.inert;
      });
    }
    madeInert.forEach(function (el) { el.inert = on; });
    if (!on) { madeInert = []; }
  }

  function open(href) {
    target = href;
    lastFocus = document.activeElement;
    dialog.hidden = false;
    setInert(true);
    keepButton.focus();
  }

  function keep() {
    if (dialog.hidden) { return; }
    dialog.hidden = true;
    target = null;
    setInert(false);
    if (lastFocus && lastFocus.focus) { lastFocus.focus(); }
  }

  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0) { return; }
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    if (!link) { return; }
    var url = new URL(link.href, window.location.href);
    if (url.origin !== window.location.origin || url.pathname !== homePath) { return; }
    if (!holdsAnswers()) { return; }
    event.preventDefault();
    open(url.href);
  });

  keepButton.addEventListener("click", keep);
  discardButton.addEventListener("click", function () {
    // Replace this page in the history: its answers are gone once home shows.
    window.location.replace(target || body.dataset.homeUrl);
  });
  dialog.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { keep(); }
  });
})();
