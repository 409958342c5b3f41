// Starts Swagger UI on /api/docs/ from a static file (the CSP allows no inline script): drf-spectacular's own start-up
// script (drf_spectacular/swagger_ui.js), reading the view's settings from data attributes of #swagger-ui.
(function () {
  "use strict";
  var el = document.getElementById("swagger-ui");
  var swaggerSettings = JSON.parse(el.dataset.settings || "{}");
  // No deep links: Swagger UI puts each operation's deep link inside the button that opens it, a link nested in a
  // button that keyboards and screen readers cannot reach as such (WCAG 4.1.2; axe: nested-interactive).
  swaggerSettings.deepLinking = false;
  // Plain example values: the highlighter's theme has colours below 4.5:1 contrast on its dark background.
  swaggerSettings.syntaxHighlight = false;
  var schemaAuthNames = JSON.parse(el.dataset.authNames || "[]");
  var schemaAuthFailed = false;
  var ui = null;
  var plugins = [];

  function reloadSchema(ori) {
    return function () {
      schemaAuthFailed = false;
      setTimeout(function () { ui.specActions.download(); });
      return ori.apply(null, arguments);
    };
  }

  if (schemaAuthNames.length > 0) {  // a change of credentials reloads the schema, which depends on who asks
    plugins.push(function () {
      return { statePlugins: { auth: { wrapActions: {
        authorizeOauth2: reloadSchema, authorize: reloadSchema, logout: reloadSchema } } } };
    });
  }

  function isSchemaUrl(url) {
    return ui !== null && url === new URL(ui.getConfigs().url, document.baseURI).href;
  }

  function responseInterceptor(response) {
    if (!response.ok && isSchemaUrl(response.url) && !schemaAuthFailed) {
      schemaAuthFailed = true;  // retry once without credentials, never in a loop
      setTimeout(function () { ui.specActions.download(); });
    }
    return response;
  }

  function injectAuthCredentials(request) {
    var authorized;
    if (ui !== null) {
      var state = ui.getState().get("auth").get("authorized");
      if (state !== undefined && Object.keys(state.toJS()).length !== 0) { authorized = state.toJS(); }
    }
    if (authorized === undefined) { return; }
    for (var i = 0; i < schemaAuthNames.length; i++) {
      var authDef = authorized[schemaAuthNames[i]];
      if (authDef === undefined || authDef.schema === undefined) { continue; }
      var schema = authDef.schema;
      if (schema.type === "http" && schema.scheme === "bearer") {
        request.headers.Authorization = "Bearer " + authDef.value;
        return;
      } else if (schema.type === "apiKey" && schema.in === "header") {
        request.headers[schema.name] = authDef.value;
        return;
      }
    }
  }

  function requestInterceptor(request) {
    if (request.loadSpec && schemaAuthNames.length > 0 && !schemaAuthFailed) {
      injectAuthCredentials(request);
    }
    // Same-origin calls that change something carry the CSRF token, as the app's forms do.
    if (["GET", undefined].indexOf(request.method) < 0 && request.credentials === "same-origin") {
      request.headers[el.dataset.csrfHeader] = el.dataset.csrfToken;
    }
    return request;
  }

  // What Swagger UI leaves out for keyboards and screen readers, added as its parts appear: its scrolling example and
  // response bodies are reached by keyboard (WCAG 2.1.1), the authorisation dialog's close button and each
  // parameter's field are named (4.1.2), a field after its parameter.
  function makeAccessible() {
    el.querySelectorAll("pre.microlight:not([tabindex])").forEach(function (pre) { pre.tabIndex = 0; });
    el.querySelectorAll("button.close-modal:not([aria-label])").forEach(function (button) {
      button.setAttribute("aria-label", "Close");
    });
    el.querySelectorAll("tr[data-param-name]").forEach(function (row) {
      row.querySelectorAll(".parameters-col_description input, .parameters-col_description select, " +
                           ".parameters-col_description textarea").forEach(function (field) {
        if (!field.hasAttribute("aria-label") && !field.labels.length) {
          field.setAttribute("aria-label", row.dataset.paramName + " (" + row.dataset.paramIn + " parameter)");
        }
      });
    });
  }
  new MutationObserver(makeAccessible).observe(el, { childList: true, subtree: true });

  ui = window.SwaggerUIBundle(Object.assign({
    url: el.dataset.schemaUrl,
    dom_id: "#swagger-ui",
    presets: [window.SwaggerUIBundle.presets.apis],
    plugins: plugins,
    layout: "BaseLayout",
    requestInterceptor: requestInterceptor,
    responseInterceptor: responseInterceptor
  }, swaggerSettings));
})();
