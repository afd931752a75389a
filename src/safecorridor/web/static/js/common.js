/* Shared behaviour: nothing here is needed to read a page; it adds keyboard comfort. */
(function () {
  "use strict";
  document.addEventListener("htmx:responseError", function (ev) {
    var xhr = ev.detail.xhr;
    var box = document.getElementById("flash");
    if (box) { box.textContent = "The server answered " + xhr.status + ": " + (xhr.responseText || "").slice(0, 300); }
  });
})();
