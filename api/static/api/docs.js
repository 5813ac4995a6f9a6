/* Starts Swagger UI on /api/docs/ from a file, not an inline script, so the site's CSP
   (script-src 'self') holds. The page says where the schema is and gives the CSRF token
   that writes made with the site's session need. */
"use strict";

(() => {
  // Names for the controls Swagger UI leaves without one (WCAG 4.1.2), and keyboard access
  // to the example boxes that scroll (WCAG 2.1.1). Swagger UI renders as it goes, so this
  // runs again whenever its markup changes.
  const name = (element, label) => {
    if (!element.hasAttribute("aria-label") && !element.labels?.length) {
      element.setAttribute("aria-label", label);
    }
  };
  const mend = (root) => {
    for (const select of root.querySelectorAll("tr[data-param-name] select")) {
      const row = select.closest("tr[data-param-name]");
      name(select, `Value of ${row.dataset.paramName}`);
    }
    for (const select of root.querySelectorAll("select.examples-select-element")) {
      const row = select.closest("tr[data-code]");
      name(select, row ? `Examples of the ${row.dataset.code} answer` : "Examples of the request body");
    }
    for (const area of root.querySelectorAll("textarea.body-param__text")) {
      name(area, "Request body (JSON)");
    }
    for (const area of root.querySelectorAll("textarea:not([aria-label])")) {
      name(area, "Value");
    }
    for (const button of root.querySelectorAll("button.close-modal")) {
      name(button, "Close");
    }
    for (const box of root.querySelectorAll("pre.microlight:not([tabindex])")) {
      box.setAttribute("tabindex", "0");
    }
  };

  const start = () => {
    const root = document.getElementById("swagger-ui");
    if (!root || typeof window.SwaggerUIBundle !== "function") {
      return;
    }
    const csrfToken = root.dataset.csrfToken || "";
    root.textContent = "";
    new MutationObserver(() => mend(document)).observe(document.body, {
      childList: true,
      subtree: true,
    });
    window.ui = window.SwaggerUIBundle({
      url: root.dataset.schemaUrl,
      domNode: root,
      presets: [window.SwaggerUIBundle.presets.apis],
      layout: "BaseLayout",
      // Deep links are anchors inside each operation's summary button: a control inside a
      // control, which screen readers and axe refuse.
      deepLinking: false,
      // No badge from validator.swagger.io: nothing leaves this site.
      validatorUrl: null,
      requestInterceptor: (request) => {
        // Session sign-in: writes carry the CSRF token, as on the site's own forms.
        if (!["GET", "HEAD", "OPTIONS", undefined].includes(request.method)) {
          request.headers["X-CSRFToken"] = csrfToken;
        }
        return request;
      },
    });
  };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
