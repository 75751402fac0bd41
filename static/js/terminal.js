// The touchscreen's own behaviour: idle reset, the attract screen when nobody is there, and
// print status (forms.js does the forms).
// No strings live here: every message is rendered (and translated) by the server.
"use strict";

(function () {
  var body = document.body;

  // ---- After a wipe, Back must not show the last person's page from the back/forward cache.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      window.location.reload();
    }
  });

  // ---- Idle: a warning with a countdown, then the session is wiped and the screen goes home.
  var idleSeconds = Number(body.dataset.idleSeconds || 60);
  var countdownSeconds = Number(body.dataset.countdownSeconds || 20);
  var resetUrl = body.dataset.resetUrl;
  var homeUrl = body.dataset.homeUrl;
  var attractUrl = body.dataset.attractUrl || homeUrl;
  var dialog = document.getElementById("idle-dialog");
  var countEl = dialog ? dialog.querySelector("[data-idle-count]") : null;
  var continueButton = dialog ? dialog.querySelector("[data-idle-continue]") : null;
  var idleTimer = null;
  var tickTimer = null;
  var remaining = countdownSeconds;
  var lastFocus = null;
  var isHome = body.classList.contains("terminal--home");

  // Everything but the dialog is inert while it shows, so focus and taps stay in it.
  var madeInert = [];
  function setInert(on) {
    if (on) {
      madeInert = Array.prototype.filter.call(body.children, function (el) {
        return el !== dialog && el.tagName !== "SCRIPT" && !el.inert;
      });
    }
    madeInert.forEach(function (el) { el.inert = on; });
    if (!on) { madeInert = []; }
  }

  function wipe(target) {
    clearTimeout(idleTimer);
    clearInterval(tickTimer);
    var go = function () { window.location.replace(target || homeUrl); };
    if (!resetUrl) { go(); return; }
    fetch(resetUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json" },
      cache: "no-store"
    }).then(go, go);
  }

  function hideWarning() {
    if (!dialog || dialog.hidden) { return; }
    dialog.hidden = true;
    setInert(false);
    clearInterval(tickTimer);
    if (lastFocus && lastFocus.focus) { lastFocus.focus(); }
  }

  function showWarning() {
    if (!dialog) { wipe(); return; }
    // An untouched home screen holds nothing of anyone's: no warning, straight to the attract
    // screen (the wipe only drops the cookie of a session that holds a CSRF token).
    if (isHome && body.dataset.session === "empty") { wipe(attractUrl); return; }
    lastFocus = document.activeElement;
    remaining = countdownSeconds;
    if (countEl) { countEl.textContent = String(remaining); }
    dialog.hidden = false;
    setInert(true);
    if (continueButton) { continueButton.focus(); }
    tickTimer = setInterval(function () {
      remaining -= 1;
      if (countEl) { countEl.textContent = String(Math.max(remaining, 0)); }
      if (remaining <= 0) { wipe(); }
    }, 1000);
  }

  function activity() {
    if (dialog && !dialog.hidden) { return; }  // only the button dismisses the warning
    clearTimeout(idleTimer);
    idleTimer = setTimeout(showWarning, idleSeconds * 1000);
  }

  if (continueButton) {
    continueButton.addEventListener("click", function () {
      hideWarning();
      activity();
    });
  }
  ["pointerdown", "keydown", "input", "wheel", "touchstart"].forEach(function (name) {
    document.addEventListener(name, activity, { passive: true, capture: true });
  });
  activity();

  // ---- Print status on the confirmation page.
  var status = document.querySelector("[data-print-status]");
  if (status) {
    var url = status.dataset.printUrl;
    var started = Date.now();
    var show = function (state, data) {
      status.dataset.state = state;
      status.querySelectorAll("[data-when]").forEach(function (msg) {
        msg.hidden = msg.dataset.when !== state;
      });
      if (data) {
        // Each part is optional: a page shows only the ones that make sense for its slip.
        var part = function (selector, hidden) {
          var el = status.querySelector(selector);
          if (el) { el.hidden = hidden; }
        };
        part("[data-printer-down]", !data.printer_down);
        part("[data-printer-failed]", Boolean(data.printer_down));
        part("[data-can-retry]", !data.can_retry);
      }
    };
    var poll = function () {
      var waiting = status.dataset.state === "printing" || status.dataset.state === "retrying";
      if (waiting && Date.now() - started > 60000) {
        show("failed");
        return;
      }
      fetch(url, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          // printed (confirmed), unconfirmed, no_printer and failed are where it ends;
          // retrying: a broken-off slip is printed again whole, marked 补打
          if (data.state !== "gone") { show(data.state, data); }
          if (data.state === "printing" || data.state === "retrying") { setTimeout(poll, 700); }
          // After a failure keep asking for a while: a held slip prints by itself once the
          // printer is back, and "print again" appears when it is offered.
          else if (data.state === "failed" && Date.now() - started < 120000) {
            setTimeout(poll, 3000);
          }
        }, function () { setTimeout(poll, 1500); });
    };
    if (["printing", "retrying", "failed"].indexOf(status.dataset.state) >= 0) { setTimeout(poll, 400); }
  }
})();
