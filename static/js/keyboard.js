// The on-screen keyboard: pinyin with a candidate bar, Latin letters, symbols, a numeric pad
// and a pad for unified social credit codes. It opens under the focused text field and never
// covers it. Every caption and label is rendered (and translated) by the server into the
// container's data attributes; the layouts here hold only the characters the keys type.
"use strict";

(function () {
  var board = document.getElementById("keyboard");
  if (!board || !window.fetch) { return; }
  var L = board.dataset;  // labels: L.done, L.space, …
  var PAGE_SIZE = 30;     // candidates fetched at a time; the bar shows as many as fit
  var MAX_LETTERS = Number(L.maxLetters || 40);
  var REPEAT_DELAY = 450; // ms before a held backspace repeats
  var REPEAT_EVERY = 70;  // ms between repeats
  var MARGIN = 16;        // px kept clear between the field and the keyboard
  var MIN_CANDIDATE = 88; // px: a candidate's least width (keyboard.css)
  var TEXT_TYPES = ["text", "search", "tel", "url", "email", "password", ""];

  // ---- Layouts. A row is a list of keys; a string key types itself.
  var LETTERS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"];
  var USCC = /^[0-9ABCDEFGHJKLMNPQRTUWXY]$/;  // GB 32100: no I, O, S, V or Z
  var PUNCT = {
    zh: { row3: "、", bottom: ["，", "。", "？"],
          sym1: ["-", "/", "：", "；", "（", "）", "￥", "@", "“", "”"],
          sym2: ["%", "……", "——", "·", "《", "》", "！", "‘", "’"], space: 2.5 },
    en: { row3: null, bottom: [",", "."],
          sym1: ["-", "/", ":", ";", "(", ")", "$", "&", "@", "\""],
          sym2: ["%", "*", "+", "=", "#", "_", "!", "?", "'"], space: 3.5 }
  };

  function k(action, extra) {
    var key = { action: action, width: 1 };
    for (var name in extra) { key[name] = extra[name]; }
    return key;
  }
  var BACKSPACE = function (w) { return k("backspace", { caption: "⌫", label: L.backspace, width: w || 1.5 }); };
  var ENTER = function (w) { return k("enter", { caption: "⏎", label: null, width: w || 1.5 }); };

  function fullLayout() {
    var p = PUNCT[state.mode];
    var rows;
    if (state.page === "symbols") {
      rows = [
        "1234567890".split(""),
        p.sym1,
        p.sym2.concat([BACKSPACE(1)])
      ];
    } else {
      rows = LETTERS.map(function (row) { return row.split(""); });
      rows[1] = [k("gap", { width: 0.5 })].concat(rows[1], [k("gap", { width: 0.5 })]);
      var first = state.mode === "zh"
        ? k("char", { text: p.row3, caption: p.row3, width: 1.5 })
        : k("shift", { caption: "⇧", label: L.shift, width: 1.5 });
      rows[2] = [first].concat(rows[2], [BACKSPACE(1.5)]);
    }
    var toggle = state.page === "symbols"
      ? k("letters", { caption: state.mode === "zh" ? L.pinyin : L.abc, label: L.letters, width: 1.5 })
      : k("symbols", { caption: "123", label: L.symbols, width: 1.5 });
    var bottom = [toggle, k("mode", { width: 1.5 })];
    bottom = bottom.concat(p.bottom.slice(0, 1), [k("space", { caption: L.space, width: p.space })]);
    bottom = bottom.concat(p.bottom.slice(1), [ENTER(1.5)]);
    return rows.concat([bottom]);
  }

  function usccLayout() {
    var keys = function (row) {
      return row.split("").map(function (c) { return USCC.test(c) ? c : k("gap", { width: 1 }); });
    };
    return [
      "1234567890".split(""),
      keys("QWERTYUIOP"),
      keys("ASDFGHJKL").concat([k("gap", { width: 1 })]),
      keys("ZXCVBNM").concat([BACKSPACE(1.5), ENTER(1.5)])
    ];
  }

  function numericLayout(decimal) {
    var corner = decimal ? "." : k("gap", {});
    return [["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"], [corner, "0", BACKSPACE(1)]];
  }

  // ---- State.
  var state = {
    field: null,       // the field being typed into
    layout: "pinyin",  // pinyin | latin | numeric | decimal | uscc (the field's data-keyboard)
    mode: "zh",        // zh (pinyin) | en (Latin letters), kept while the page lasts
    page: "letters",   // letters | symbols
    shift: 0,          // 0 off, 1 once, 2 caps lock
    letters: "",       // the pinyin being composed
    open: false
  };
  var cands = { letters: "", list: [], hasMore: false, pages: 0, start: 0, end: 0, back: [] };
  var memo = new Map();  // "letters|page" → response, for this page's lifetime
  var seq = 0;
  var controller = null;
  var looking = Promise.resolve();
  var queue = Promise.resolve();

  // ---- The keyboard's parts, built once.
  function el(tag, className, attrs) {
    var node = document.createElement(tag);
    node.className = className;
    for (var name in attrs || {}) { node.setAttribute(name, attrs[name]); }
    return node;
  }
  var head = el("div", "kb__head");
  var composing = el("div", "kb__composition");
  var hint = el("p", "kb__hint");
  hint.textContent = L.usccHint || "";
  var done = el("button", "kb__key kb__key--done", { type: "button", "data-key": "done" });
  done.textContent = L.done;
  head.append(composing, hint, done);
  var bar = el("div", "kb__bar");
  var strip = el("div", "kb__candidates", { role: "group", "aria-label": L.candidates });
  var prev = el("button", "kb__key kb__page", { type: "button", "data-key": "prev", "aria-label": L.previous });
  prev.textContent = "‹";
  var next = el("button", "kb__key kb__page", { type: "button", "data-key": "next", "aria-label": L.more });
  next.textContent = "›";
  bar.append(strip, prev, next);
  var keys = el("div", "kb__keys");
  var inner = el("div", "kb__inner");
  inner.append(head, bar, keys);
  board.append(inner);

  // ---- Drawing.
  function full() { return state.layout === "pinyin" || state.layout === "latin"; }

  function keyFor(text) {
    if (!full() || state.page !== "letters" || !/^[a-z]$/.test(text)) {
      return k("char", { text: text, caption: text });
    }
    if (state.mode === "zh") { return k("letter", { text: text, caption: text }); }
    var shown = state.shift ? text.toUpperCase() : text;
    return k("char", { text: shown, caption: shown, latin: true });
  }

  function button(key) {
    if (typeof key === "string") { key = keyFor(key); }
    if (key.action === "gap") {
      var gap = el("span", "kb__gap", { "aria-hidden": "true" });
      gap.dataset.width = String(key.width);
      return gap;
    }
    var b = el("button", "kb__key kb__key--" + key.action, { type: "button" });
    b.dataset.key = key.action;
    b.dataset.width = String(key.width);
    if (key.text != null) { b.dataset.text = key.text; }
    if (key.latin) { b.dataset.latin = "1"; }
    if (key.action === "mode") {
      var zh = el("span", "kb__mode" + (state.mode === "zh" ? " kb__mode--on" : ""));
      zh.textContent = L.chinese;
      var en = el("span", "kb__mode" + (state.mode === "en" ? " kb__mode--on" : ""));
      en.textContent = L.english;
      b.append(zh, el("span", "kb__mode-sep"), en);
      b.setAttribute("aria-label", state.mode === "zh" ? L.toEnglish : L.toChinese);
    } else {
      b.textContent = key.caption;
    }
    if (key.action === "enter") {
      b.setAttribute("aria-label", state.field && state.field.tagName === "TEXTAREA" ? L.newline : L.enter);
    } else if (key.label) {
      b.setAttribute("aria-label", key.label);
    }
    if (key.action === "shift") {
      b.setAttribute("aria-pressed", state.shift ? "true" : "false");
      b.classList.toggle("kb__key--locked", state.shift === 2);
    }
    if (key.action === "char" && key.text.length > 1) { b.classList.add("kb__key--long"); }
    return b;
  }

  function drawKeys() {
    var layout = state.layout === "numeric" ? numericLayout(false)
      : state.layout === "decimal" ? numericLayout(true)
      : state.layout === "uscc" ? usccLayout() : fullLayout();
    keys.replaceChildren();
    board.dataset.layout = full() ? "full" : state.layout === "decimal" ? "numeric" : state.layout;
    board.dataset.mode = state.mode;
    board.dataset.page = state.page;
    layout.forEach(function (rowKeys) {
      var row = el("div", "kb__row");
      rowKeys.forEach(function (key) {
        var node = button(key);
        node.style.flexGrow = node.dataset.width;  // CSSOM: allowed by the CSP (no style attribute)
        row.append(node);
      });
      keys.append(row);
    });
    bar.hidden = !full();
    composing.hidden = !full();
    hint.hidden = state.layout !== "uscc";
    fit();
  }

  function drawComposition(spelling) {
    board.dataset.composing = state.letters;
    composing.textContent = state.letters ? (spelling || state.letters) : "";
    board.classList.toggle("kb--composing", Boolean(state.letters));
  }

  function drawCandidates() {
    strip.replaceChildren();
    var list = cands.letters === state.letters ? cands.list : [];
    var room = cands.start + Math.ceil(strip.clientWidth / MIN_CANDIDATE) + 1;  // no more can fit
    for (var i = cands.start; i < list.length && i < room; i++) {
      var b = el("button", "kb__candidate" + (i === cands.start ? " kb__candidate--first" : ""), { type: "button" });
      b.dataset.key = "candidate";
      b.dataset.index = String(i);
      b.textContent = list[i].text;
      strip.append(b);
    }
    // Show what fits on the bar; › shows the rest (one layout read, then removals).
    var width = strip.clientWidth;
    var shown = 0;
    var nodes = Array.prototype.slice.call(strip.children);
    for (var n = 0; n < nodes.length; n++) {
      if (shown > 0 && nodes[n].offsetLeft + nodes[n].offsetWidth > width) { break; }
      shown++;
    }
    nodes.slice(shown).forEach(function (node) { node.remove(); });
    cands.end = cands.start + shown;
    strip.dataset.letters = list.length ? cands.letters : "";  // what the bar shows (for tests)
    prev.disabled = cands.back.length === 0;
    next.disabled = !(cands.end < list.length || (cands.hasMore && list.length));
  }

  // ---- Candidates from the kiosk.
  function fetchPage(letters, page) {
    var id = letters + "|" + page;
    if (memo.has(id)) { return Promise.resolve(memo.get(id)); }
    if (controller) { controller.abort(); }
    controller = new AbortController();
    var url = L.candidatesUrl + "?q=" + letters + "&page=" + page + "&size=" + PAGE_SIZE;
    return fetch(url, {
      signal: controller.signal, credentials: "same-origin", cache: "no-store",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (data) {
      memo.set(id, data);
      return data;
    });
  }

  function lookUp() {
    var letters = state.letters;
    var mine = ++seq;
    drawComposition();
    if (!letters) {
      cands = { letters: "", list: [], hasMore: false, pages: 0, start: 0, end: 0, back: [] };
      drawCandidates();
      looking = Promise.resolve();
      return;
    }
    looking = fetchPage(letters.slice(0, MAX_LETTERS), 1).then(function (data) {
      if (mine !== seq) { return; }  // a newer tap has asked since: this answer is stale
      cands = { letters: letters, list: data.candidates, hasMore: data.has_more, pages: 1,
                start: 0, end: 0, back: [] };
      drawComposition(data.spelling);
      drawCandidates();
    }, function () { /* aborted or offline: the letters stay, Enter can commit them */ });
  }

  function turn(forward) {
    if (!forward) {
      if (!cands.back.length) { return; }
      cands.start = cands.back.pop();
      drawCandidates();
      return;
    }
    var more = cands.end >= cands.list.length && cands.hasMore;
    var ready = more ? fetchPage(cands.letters, cands.pages + 1).then(function (data) {
      if (cands.letters !== data.letters) { return; }
      cands.list = cands.list.concat(data.candidates);
      cands.hasMore = data.has_more;
      cands.pages += 1;
    }) : Promise.resolve();
    return ready.then(function () {
      if (cands.end >= cands.list.length) { return; }
      cands.back.push(cands.start);
      cands.start = cands.end;
      drawCandidates();
    }, function () {});
  }

  function choose(index) {
    var chosen = cands.letters === state.letters ? cands.list[index] : null;
    if (!chosen) { return; }
    insert(chosen.text);
    state.letters = state.letters.slice(chosen.consumes);
    lookUp();
  }

  // Space takes the first candidate shown; the letters it does not use stay in composition.
  function takeFirst() {
    return looking.then(function () {
      if (cands.letters === state.letters && cands.list.length) {
        choose(cands.start);
      } else {
        commit(false);
      }
    });
  }

  // Commit everything composed: as first candidates (before punctuation), or as the letters.
  function commit(asCandidates) {
    if (!state.letters) { return Promise.resolve(); }
    if (!asCandidates) {
      var letters = state.letters;
      state.letters = "";
      insert(letters);
      lookUp();
      return Promise.resolve();
    }
    return takeFirst().then(function () { return commit(true); });
  }

  // ---- Editing the field.
  function fire(field, type, data) {
    field.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: type, data: data }));
  }

  function range(field) {
    var start = field.selectionStart;
    var end = field.selectionEnd;
    if (start == null) { start = end = field.value.length; }  // types without a caret
    return [start, end];
  }

  function insert(text) {
    var field = state.field;
    if (!field || !text) { return; }
    var at = range(field);
    var max = field.maxLength;
    if (max >= 0 && field.value.length - (at[1] - at[0]) + text.length > max) {
      refuse();  // as a real keyboard does at maxlength; the server checks lengths too
      return;
    }
    try {
      field.setRangeText(text, at[0], at[1], "end");
    } catch (error) {
      field.value += text;  // fields without selection (type=number, email)
    }
    fire(field, "insertText", text);
    if (field.tagName === "TEXTAREA" && field.selectionEnd === field.value.length) {
      field.scrollTop = field.scrollHeight;  // keep the caret in sight as the text grows
    }
  }

  function lastCharacterLength(text) {
    if (window.Intl && Intl.Segmenter) {
      var last = null;
      var parts = new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(text);
      for (var part of parts) { last = part.segment; }
      return last ? last.length : 1;
    }
    var low = text.charCodeAt(text.length - 1);
    var high = text.charCodeAt(text.length - 2);
    return low >= 0xDC00 && low <= 0xDFFF && high >= 0xD800 && high <= 0xDBFF ? 2 : 1;
  }

  function backspace() {
    if (state.letters) {
      state.letters = state.letters.slice(0, -1);
      lookUp();
      return;
    }
    var field = state.field;
    if (!field) { return; }
    var at = range(field);
    if (at[0] === at[1]) {
      if (at[0] === 0) { return; }
      // A whole character: 𠮷 and emoji are two UTF-16 units, 👍🏽 two code points.
      var before = field.value.slice(Math.max(0, at[0] - 16), at[0]);
      at[0] -= lastCharacterLength(before);
    }
    try {
      field.setRangeText("", at[0], at[1], "end");
    } catch (error) {
      field.value = field.value.slice(0, -1);
    }
    fire(field, "deleteContentBackward", null);
  }

  function refuse() {
    board.classList.remove("kb--refused");
    void board.offsetWidth;  // restart the animation
    board.classList.add("kb--refused");
  }

  function enter() {
    if (state.letters) { return commit(false); }
    var field = state.field;
    if (!field) { return; }
    if (field.tagName === "TEXTAREA") { insert("\n"); return; }
    var form = field.form;
    if (!form) { return; }
    // As Enter on a real keyboard: the form's first submit button sends it.
    var submitter = form.querySelector("button:not([type]), button[type=submit], input[type=submit]");
    if (form.requestSubmit) { form.requestSubmit(submitter || undefined); } else { form.submit(); }
  }

  // ---- Keys.
  function press(node) {
    var action = node.dataset.key;
    var text = node.dataset.text;
    switch (action) {
      case "letter":
        if (state.letters.length >= MAX_LETTERS) { refuse(); return; }
        state.letters += text;
        lookUp();
        return;
      case "char":
        return commit(true).then(function () {
          insert(text);
          if (node.dataset.latin && state.shift === 1) { state.shift = 0; drawKeys(); }
        });
      case "space":
        if (state.letters) { return takeFirst(); }
        insert(" ");
        return;
      case "backspace": backspace(); return;
      case "enter": return enter();
      case "candidate": choose(Number(node.dataset.index)); return;
      case "prev": return turn(false);
      case "next": return turn(true);
      case "shift":
        state.shift = (state.shift + 1) % 3;
        drawKeys();
        return;
      case "mode":
        return commit(false).then(function () {
          state.mode = state.mode === "zh" ? "en" : "zh";
          state.shift = 0;
          drawKeys();
        });
      case "symbols":
      case "letters":
        state.page = action === "symbols" ? "symbols" : "letters";
        drawKeys();
        return;
      case "done": return commit(false).then(function () { close(true); });
    }
  }

  function run(action) {
    queue = queue.then(action).catch(function () {});
    return queue;
  }

  var held = null;  // the backspace being held: { timer, pointer }
  function stopHolding() {
    if (held) { clearTimeout(held.timer); clearInterval(held.timer); held = null; }
  }

  board.addEventListener("pointerdown", function (event) {
    event.preventDefault();  // the field keeps focus (and its caret) while keys are tapped
    var node = event.target.closest("button");
    if (!node || node.disabled) { return; }
    node.classList.add("is-down");
    if (node.dataset.key === "backspace") {
      stopHolding();
      run(backspace);
      held = { timer: setTimeout(function () {
        if (held) { held.timer = setInterval(function () { run(backspace); }, REPEAT_EVERY); }
      }, REPEAT_DELAY), pointer: event.pointerId };
      node.dataset.held = "1";
    }
  });
  ["pointerup", "pointercancel", "pointerout"].forEach(function (name) {
    board.addEventListener(name, function (event) {
      var node = event.target.closest && event.target.closest("button");
      if (node) { node.classList.remove("is-down"); }
      if (held && event.pointerId === held.pointer) { stopHolding(); }
    });
  });
  board.addEventListener("click", function (event) {
    var node = event.target.closest("button");
    if (!node || node.disabled) { return; }
    if (node.dataset.held) { delete node.dataset.held; return; }  // done on pointerdown
    run(function () { return press(node); });
  });

  // ---- Opening and closing.
  function eligible(node) {
    if (!node || !node.matches || !node.matches("input, textarea")) { return false; }
    if (node.readOnly || node.disabled || node.dataset.keyboard === "none") { return false; }
    return node.tagName === "TEXTAREA" || TEXT_TYPES.indexOf(node.getAttribute("type") || "") >= 0;
  }

  function quietNativeKeyboard(field) {
    // A tablet's own keyboard must not open as well; the field stays a real input.
    if (!field.hasAttribute("data-kb-inputmode")) {
      field.dataset.kbInputmode = field.getAttribute("inputmode") || "";
      field.setAttribute("inputmode", "none");
    }
  }

  function layoutFor(field) {
    var wanted = field.dataset.keyboard;
    return ["numeric", "decimal", "uscc", "latin", "pinyin"].indexOf(wanted) >= 0 ? wanted : "pinyin";
  }

  function open(field) {
    if (state.field && state.field !== field) { commit(false); }
    quietNativeKeyboard(field);
    var layout = layoutFor(field);
    if (layout !== state.layout || !state.open) {
      state.page = "letters";
      state.shift = 0;
    }
    if (layout === "latin" && state.layout !== "latin") { state.mode = "en"; }
    state.layout = layout;
    state.field = field;
    state.open = true;
    board.hidden = false;
    document.body.classList.add("kb-open");
    drawKeys();
    lookUp();
    reveal();
  }

  function close(keepFocus) {
    stopHolding();
    state.open = false;
    board.hidden = true;
    document.body.classList.remove("kb-open");
    document.documentElement.style.removeProperty("--kb-height");
    if (keepFocus && state.field && board.contains(document.activeElement)) {
      state.field.focus({ preventScroll: true });
    }
  }

  // Make room under the page for the keyboard and bring the field (with its label, when that
  // fits) into the part of the screen above it.
  function fit() {
    if (!state.open) { return; }
    document.documentElement.style.setProperty("--kb-height", board.offsetHeight + "px");
  }

  function reveal() {
    var field = state.field;
    if (!field || !state.open) { return; }
    fit();
    var room = window.innerHeight - board.offsetHeight - MARGIN;
    var whole = field.closest(".field, .search") || field;
    var box = whole.getBoundingClientRect();
    if (box.height > room - MARGIN) { box = field.getBoundingClientRect(); }
    var shift = 0;
    if (box.bottom > room) { shift = box.bottom - room; }
    if (box.top - shift < MARGIN) { shift = box.top - MARGIN; }
    if (shift) { window.scrollBy({ top: shift, left: 0, behavior: "instant" }); }
  }

  var pointerDown = false;  // a finger (or mouse button) is on the screen
  document.addEventListener("pointerdown", function () { pointerDown = true; }, true);
  document.addEventListener("pointerup", function () { pointerDown = false; }, true);
  document.addEventListener("pointercancel", function () { pointerDown = false; }, true);

  document.addEventListener("focusin", function (event) {
    if (eligible(event.target)) { open(event.target); }
  });
  document.addEventListener("focusout", function (event) {
    if (!state.open || event.target !== state.field) { return; }
    var to = event.relatedTarget;
    if (to && (board.contains(to) || eligible(to))) { return; }
    commit(false);  // what was typed goes into the field before any form is sent
    closeSoon();
  });

  // Hide once the tap that moved focus has ended: the page must not move under the finger
  // between pointerdown and click, or the tap would miss the button it was meant for.
  function closeSoon() {
    var finished = false;
    var timer = setTimeout(finish, pointerDown ? 2000 : 300);  // ms
    function finish() {
      if (finished) { return; }
      finished = true;
      clearTimeout(timer);
      document.removeEventListener("click", finish, true);
      setTimeout(function () {
        var now = document.activeElement;
        if (state.open && !eligible(now) && !board.contains(now)) { close(false); }
      }, 0);
    }
    document.addEventListener("click", finish, true);
  }

  // A tap on the focused field brings the keyboard back after 完成.
  document.addEventListener("click", function (event) {
    if (!state.open && eligible(event.target) && event.target === document.activeElement) {
      open(event.target);
    }
  });
  window.addEventListener("resize", function () { if (state.open) { drawKeys(); reveal(); } });
  document.querySelectorAll("input, textarea").forEach(function (field) {
    if (eligible(field)) { quietNativeKeyboard(field); }
  });
  if (eligible(document.activeElement)) { open(document.activeElement); }
})();
