// The screen tells its kiosk which page it shows, every few seconds, and does what the fleet
// asks: reload (a new generation), or show or leave the maintenance page (paused changed).
// A screen that stops asking shows on the fleet page as on but frozen.
"use strict";

(function () {
  var body = document.body;
  var url = body.dataset.screenUrl;
  if (!url) { return; }
  var generation = Number(body.dataset.generation || 0);
  var paused = body.dataset.paused === "true";
  var every = 5000;  // milliseconds between reports

  function report() {
    var query = "?page=" + encodeURIComponent(window.location.pathname + window.location.search) +
      "&generation=" + generation + "&width=" + window.innerWidth + "&height=" + window.innerHeight;
    fetch(url + query, { credentials: "omit", cache: "no-store", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && (data.generation !== generation || data.paused !== paused)) {
          window.location.reload();
          return;
        }
        setTimeout(report, every);
      }, function () { setTimeout(report, every); });
  }
  report();
})();
