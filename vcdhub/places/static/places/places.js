// The map of a stored place-analysis run: areas coloured by class, from the run's own GeoJSON download, so the map,
// the table and the downloads show the same numbers. Clicking an area loads its panel (monthly chart, and a link to
// its crimes for users who may read records) through htmx. No inline script: the page's CSP allows none of ours.
(function () {
  "use strict";

  function countText(n, below) {
    if (n === null || n === undefined) { return below ? "fewer than " + below : "—"; }
    return n.toLocaleString("en-GB");
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("map");
    if (!el) { return; }
    var status = document.getElementById("map-status");
    var below = el.dataset.suppressedBelow ? parseInt(el.dataset.suppressedBelow, 10) : null;
    var map = L.map(el, { zoomSnap: 0.25 }).setView([51.49, -0.12], 10);
    var selected = null;

    function showArea(code) {
      var url = el.dataset.areaUrl.replace("/AREA/", "/" + encodeURIComponent(code) + "/");
      if (window.htmx) {
        window.htmx.ajax("GET", url, { target: "#area-panel", swap: "innerHTML" });
      } else {
        window.location.href = url;
      }
    }

    fetch(el.dataset.source, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) {
        var drawn = data.features.filter(function (f) { return f.geometry; });
        var layer = L.geoJSON(drawn, {
          style: function (f) {
            return { color: "#555", weight: 0.6, fillOpacity: 0.8, fillColor: f.properties.colour || "#ffffff" };
          },
          onEachFeature: function (f, lyr) {
            var p = f.properties;
            var tip = document.createElement("span");  // text, never HTML: names come from boundary files
            tip.textContent = p.name + " (" + p.code + "): " + countText(p.count, below) + " crimes; " + p["class"];
            lyr.bindTooltip(tip);
            lyr.on("click", function () {
              if (selected) { layer.resetStyle(selected); }
              selected = lyr;
              lyr.setStyle({ weight: 2.5, color: "#102a43" });
              lyr.bringToFront();
              showArea(p.code);
            });
          }
        }).addTo(map);
        // The shapes are for the mouse: the table (one link away, and the skip link) holds the same figures for
        // a keyboard or a screen reader, so the shapes are not Tab stops (hundreds of unnamed stops otherwise).
        layer.eachLayer(function (lyr) {
          var path = lyr.getElement && lyr.getElement();
          if (path) { path.setAttribute("tabindex", "-1"); path.setAttribute("aria-hidden", "true"); }
        });
        var bounds = layer.getBounds();
        map.invalidateSize();  // the grid may have sized the container after the map was made
        if (bounds.isValid()) { map.fitBounds(bounds, { padding: [8, 8] }); }
        var missing = data.features.length - drawn.length;
        status.textContent = drawn.length.toLocaleString("en-GB") + " areas drawn" +
          (missing ? "; " + missing + " without a boundary (in the table only)" : "") + ".";
        el.dataset.features = String(drawn.length);
        el.dataset.drawn = "true";
      })
      .catch(function (err) { status.textContent = "The map could not be drawn: " + err.message; });
  });
})();
