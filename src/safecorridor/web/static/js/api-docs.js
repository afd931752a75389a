/* The API docs page: Swagger UI (vendored) over the app's OpenAPI document. */
(function () {
  "use strict";
  var box = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({ url: box.dataset.spec, dom_id: "#swagger-ui", deepLinking: true });
})();
