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
    tryItOutEnabled: true,
    // Its colouring of JSON and curl puts dim colours on a dark ground (axe, contrast): plain text reads better.
    syntaxHighlight: { activated: false }
  });

  /* Swagger UI draws its controls as operations open; name what it leaves unnamed (axe, issue 24):
     a parameter's list of values is named after the parameter, and a scrolling code sample can take
     keyboard focus so it can be scrolled without a mouse. */
  function nameControls() {
    root.querySelectorAll("tr[data-param-name] select:not([aria-label])").forEach(function (select) {
      var row = select.closest("tr[data-param-name]");
      select.setAttribute("aria-label", row.getAttribute("data-param-name") + ": choose a value");
    });
    root.querySelectorAll(".microlight:not([tabindex]), .highlight-code pre:not([tabindex])").forEach(function (code) {
      code.setAttribute("tabindex", "0");
      if (!code.hasAttribute("aria-label")) { code.setAttribute("aria-label", "Code sample"); }
    });
    root.querySelectorAll(".copy-to-clipboard button:not([aria-label])").forEach(function (button) {
      button.setAttribute("aria-label", "Copy to the clipboard");
    });
  }
  new MutationObserver(nameControls).observe(root, { childList: true, subtree: true });
})();
