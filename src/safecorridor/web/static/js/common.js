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
/* SC.t(key, vars): the words of a script in the reader's language. The page carries them in
   <script type="application/json" id="sc-strings"> (base.html, translated on the server), keyed
   by their English form with {name} placeholders; a key the page lacks is shown as it is. */
SC.t = function (key, vars) {
  if (!SC.strings) {
    var el = document.getElementById("sc-strings");
    try { SC.strings = el ? JSON.parse(el.textContent) : {}; } catch (e) { SC.strings = {}; }
  }
  var s = SC.strings[key] || key;
  Object.keys(vars || {}).forEach(function (k) { s = s.split("{" + k + "}").join(String(vars[k])); });
  return s;
};
window.SC = SC;
(function () {
  "use strict";
  document.addEventListener("htmx:responseError", function (ev) {
    var xhr = ev.detail.xhr;
    var box = document.getElementById("flash");
    if (box) { box.textContent = SC.t("The server answered {status}: {text}", { status: xhr.status, text: (xhr.responseText || "").slice(0, 300) }); }
  });
})();
