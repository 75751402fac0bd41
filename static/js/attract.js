// The attract screen: a touch anywhere starts; now and then it reloads for new announcements.
// No strings live here: every message is rendered (and translated) by the server.
"use strict";

(function () {
  var body = document.body;
  var homeUrl = body.dataset.homeUrl || "/";
  var refreshSeconds = Number(body.dataset.refreshSeconds || 300);
  var starting = false;

  // A tap (or click, or Enter on the start link) anywhere on the screen opens the home screen.
  document.addEventListener("click", function (event) {
    event.preventDefault();
    if (starting) { return; }
    starting = true;
    window.location.assign(homeUrl);
  }, true);

  // Coming back from the home screen shows this page fresh, never from the back/forward cache.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { window.location.reload(); }
  });

  // Reload only when the kiosk answers, so a restart never leaves a browser error on screen.
  function refresh() {
    fetch(window.location.href, { cache: "no-store", credentials: "omit" })
      .then(function (response) {
        if (response.ok && !starting) { window.location.reload(); } else { later(); }
      }, later);
  }
  function later() { setTimeout(refresh, refreshSeconds * 1000); }
  later();
})();
