/* Shared behaviour: nothing here is needed to read a page; it adds keyboard comfort.
   SC.text(s): an element holding s as text, never as HTML: every tooltip and label built from
   record data (names, places, states) goes through it, so a name such as
   "<img src=x onerror=...>" is shown, not run. */
var SC = window.SC || {};
SC.text = function (s) {
  var span = document.createElement("span");
  span.textContent = s === null || s === undefined ? "" : String(s);
  return span;
};
window.SC = SC;
(function () {
  "use strict";
  document.addEventListener("htmx:responseError", function (ev) {
    var xhr = ev.detail.xhr;
    var box = document.getElementById("flash");
    if (box) { box.textContent = "The server answered " + xhr.status + ": " + (xhr.responseText || "").slice(0, 300); }
  });
})();
