/* Review queue keyboard: j/k move, a accept, e edit, r reject, m merge, Esc closes the edit. */
(function () {
  "use strict";
  var current = null;
  function cards() {
    return Array.prototype.slice.call(document.querySelectorAll(".candidate:not(.decided)"));
  }
  function select(card) {
    if (!card) { return; }
    if (current) { current.classList.remove("current"); }
    current = card;
    card.classList.add("current");
    card.focus({ preventScroll: true });
    card.scrollIntoView({ block: "nearest" });
  }
  function move(step) {
    var list = cards();
    if (!list.length) { return; }
    var i = list.indexOf(current);
    select(list[Math.max(0, Math.min(list.length - 1, i < 0 ? 0 : i + step))]);
  }
  function press(action) {
    if (!current || !document.body.contains(current)) { move(0); }
    if (!current) { return; }
    if (action === "edit") {
      var box = current.querySelector(".edit-fields");
      box.hidden = !box.hidden;
      if (!box.hidden) { box.querySelector("input").focus(); }
      return;
    }
    var button = current.querySelector('[data-action="' + action + '"]');
    if (button) { button.click(); }
  }
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest('[data-action="edit"]');
    if (b) { current = b.closest(".candidate"); press("edit"); }
    var card = ev.target.closest(".candidate");
    if (card && !card.classList.contains("decided")) { select(card); }
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(ev.target.tagName);
    if (ev.key === "Escape" && current) {
      var box = current.querySelector(".edit-fields");
      if (box) { box.hidden = true; }
      current.focus();
      return;
    }
    if (typing) { return; }
    var keys = { j: function () { move(1); }, k: function () { move(-1); },
      a: function () { press("accept"); }, e: function () { press("edit"); },
      r: function () { press("reject"); }, m: function () { press("merge"); } };
    if (keys[ev.key]) { ev.preventDefault(); keys[ev.key](); }
  });
  // Merge asks for the incident id (the suggested one is offered) and sends it with the form;
  // no inline script or eval, so the page works under a strict Content-Security-Policy.
  document.addEventListener("htmx:confirm", function (ev) {
    var b = ev.detail.elt;
    if (!b || b.dataset.action !== "merge") { return; }
    ev.preventDefault();
    var id = window.prompt(SC.t("Merge into which incident id?"), b.dataset.suggested || "");
    if (id === null) { return; }
    b.dataset.incidentId = id.trim();
    ev.detail.issueRequest(true);
  });
  document.addEventListener("htmx:configRequest", function (ev) {
    var b = ev.detail.elt;
    if (b && b.dataset && b.dataset.action === "merge" && b.dataset.incidentId !== undefined) {
      ev.detail.parameters.incident_id = b.dataset.incidentId;
    }
  });
  document.addEventListener("htmx:afterSwap", function () {
    if (!current || !document.body.contains(current) || current.classList.contains("decided")) {
      current = null;
      move(0);
    }
  });
  document.addEventListener("DOMContentLoaded", function () { move(0); });
})();
