// Starts Swagger UI (django-ninja's bundled copy) on /api/v1/docs/. The description's address comes
// from the page's data-openapi-url attribute: no inline script, so the Content-Security-Policy holds.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    domNode: root,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: false,  // true puts a link inside each operation's button: nested controls (axe, serious)
    defaultModelsExpandDepth: 0,
    tryItOutEnabled: true
  });
})();
