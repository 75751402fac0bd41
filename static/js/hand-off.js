// Continue on your phone: show a one-use QR code for a long field, then put what the phone
// sent into the field. Messages are rendered by the server; none live here.
"use strict";

(function () {
  var dialog = document.getElementById("hand-off-dialog");
  if (!dialog) { return; }
  var code = dialog.querySelector("[data-hand-off-code]");
  var timer = null;
  var field = null;
  var opener = null;

  function state(name) {
    dialog.querySelectorAll("[data-hand-off-state]").forEach(function (message) {
      message.hidden = message.dataset.handOffState !== name;
    });
  }

  function close() {
    clearTimeout(timer);
    timer = null;
    dialog.hidden = true;
    code.textContent = "";
    if (opener) { opener.focus(); }
  }

  function poll(id) {
    var url = dialog.dataset.collectUrl.replace(/\/0$/, "/" + id);
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { state: "expired" }; })
      .then(function (data) {
        if (dialog.hidden) { return; }
        if (data.state === "filled") {
          field.value = data.text;
          field.dispatchEvent(new Event("input", { bubbles: true }));
          close();
          field.focus();
        } else if (data.state === "expired") {
          code.textContent = "";
          state("expired");
        } else {
          timer = setTimeout(function () { poll(id); }, 1000);  // within 2 s of the phone
        }
      }, function () { timer = setTimeout(function () { poll(id); }, 2000); });
  }

  function open(button) {
    var form = button.closest("form");
    field = document.getElementById(button.dataset.handOff);
    opener = button;
    var body = new FormData();
    body.append("task", form.dataset.task);
    body.append("step", form.dataset.step);
    body.append("field", field.name);
    body.append("text", field.value);
    body.append("csrf_token", form.querySelector("[name=csrf_token]").value);
    state("waiting");
    dialog.hidden = false;
    dialog.querySelector("[data-hand-off-close]").focus();
    fetch(dialog.dataset.startUrl, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        code.innerHTML = data.qr;  // the server's own SVG markup
        code.dataset.url = data.url;
        timer = setTimeout(function () { poll(data.id); }, 1000);
      }, function () { state("failed"); });
  }

  document.querySelectorAll("button[data-hand-off]").forEach(function (button) {
    button.addEventListener("click", function () { open(button); });
  });
  dialog.querySelector("[data-hand-off-close]").addEventListener("click", close);
})();
