// Choropleth of crime counts (or rates per 1,000 residents) by borough or ward. The data, its Jenks classes and
// the legend come from the API's choropleth endpoint, which counts with the same filter as the explorer and the
// table under the map (crime.maps), so the map, its legend and the table agree. Area names are text, never HTML.
(function () {
  "use strict";
  var LABEL_ZOOM = 13;  // from this zoom, ward names fit inside their wards

  function plural(n, word) { return n.toLocaleString("en-GB") + " " + word + (n === 1 ? "" : "s"); }

  // Colours chosen by the server travel in data attributes; the CSP allows setting them through the DOM.
  function paintSwatches(root) {
    Array.prototype.forEach.call(root.querySelectorAll(".swatch[data-swatch]"), function (el) {
      el.style.background = el.dataset.swatch;
    });
  }

  function explorerLink(el, level, code) {
    var query = new URLSearchParams(window.location.search);
    query.delete("level");
    query.delete("measure");
    query.delete("page");
    if (level === "ward") { query.delete("ward"); }
    query.set(level, code);
    return el.dataset.explorer + "?" + query.toString();
  }

  document.addEventListener("DOMContentLoaded", function () {
    paintSwatches(document);
    // On a phone the filter folds away, so the map shows without scrolling past it.
    var filters = document.querySelector("details.map-filters");
    if (filters && window.matchMedia("(max-width: 760px)").matches) { filters.open = false; }
    var el = document.getElementById("map");
    if (!el) { return; }
    var status = document.getElementById("map-status");
    var byRate = el.dataset.measure === "rate";
    // No keyboard trap and no tab stop per area: the table under the map is the keyboard's way in.
    var map = L.map(el, { zoomSnap: 0.25, keyboard: false }).setView([51.49, -0.12], 10);
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution || "", maxZoom: 18 }).addTo(map);
    }
    function getJSON(url) {
      return fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) { return response.json().then(function (e) { throw new Error(JSON.stringify(e)); }); }
        return response.json();
      });
    }
    // The figures come without the outlines, which are most of the bytes (750 KB for London's wards) and
    // seldom change: the browser keeps those and asks only whether they changed (their ETag).
    var query = window.location.search.replace(/^\?/, "");
    var asked = [query, el.dataset.outlines ? "geometry=false" : ""].filter(Boolean).join("&");
    Promise.all([getJSON(el.dataset.source + (asked ? "?" + asked : "")),
                 el.dataset.outlines ? getJSON(el.dataset.outlines) : null])
      .then(function (both) {
        var data = both[0];
        if (both[1]) {
          var shapes = {};
          both[1].features.forEach(function (f) { shapes[f.id] = f.geometry; });
          data.features.forEach(function (f) { f.geometry = shapes[f.id] || null; });
        }
        return data;
      })
      .then(function (data) {
        var p = data.properties;
        var legendRows = byRate ? p.rate_legend : p.legend;
        var classKey = byRate ? "rate_class" : "class";
        var counted = data.features.filter(function (f) { return f.properties.covered && f.properties.count !== null; });
        var uncovered = data.features.filter(function (f) { return !f.properties.covered; }).length;
        var few = data.features.length <= 80;  // label every area when they are few enough to read
        // Otherwise (London's 637 wards) the names come once the map is zoomed in far enough to read them.
        var labels = L.layerGroup();
        var layer = L.geoJSON(data, {
          style: function (f) {
            var row = legendRows[f.properties[classKey]];
            var colour = row ? row.colour : "#ffffff";
            return { color: row && row.dashed ? "#999" : "#555", weight: 0.6, dashArray: row && row.dashed ? "3 3" : null,
                     fillOpacity: 0.75, fillColor: colour };
          },
          onEachFeature: function (f, lyr) {
            var fp = f.properties;
            var text = !fp.covered ? "no data in this period" :
              (fp.count === null ? "fewer than " + p.suppressed_below + " (withheld)" :
                fp.count.toLocaleString("en-GB") + " crimes" +
                (fp.rate !== null ? ", " + fp.rate.toLocaleString("en-GB", { maximumFractionDigits: 1 }) +
                  " per 1,000 residents" : ""));
            var tip = document.createElement("span");
            if (few || p.level === "borough") {  // a permanent name label (one tooltip per shape in Leaflet)
              tip.textContent = fp.name;
              lyr.bindTooltip(tip, { permanent: true, direction: "center", className: "area-label" });
            } else {
              tip.textContent = fp.name + ": " + text;
              lyr.bindTooltip(tip, { sticky: true });
              var name = document.createElement("span");
              name.textContent = fp.name;
              labels.addLayer(L.tooltip({ permanent: true, direction: "center", className: "area-label" })
                .setLatLng(lyr.getBounds().getCenter()).setContent(name));
            }
            if (el.dataset.explorer) {  // only for readers of records: the explorer refuses everyone else
              lyr.on("click", function () { window.location.href = explorerLink(el, p.level, fp.code); });
            }
          }
        }).addTo(map);
        // Leaflet makes each shape with a tooltip focusable; 637 tab stops help nobody: the table is the way in.
        layer.eachLayer(function (lyr) {
          var path = lyr.getElement && lyr.getElement();
          if (path) { path.setAttribute("tabindex", "-1"); path.setAttribute("aria-hidden", "true"); }
        });
        var focus = L.geoJSON(data.features.filter(function (f) { return f.properties.covered; }));
        var bounds = focus.getLayers().length ? focus.getBounds() : layer.getBounds();
        if (bounds.isValid()) { map.fitBounds(bounds); }
        function showLabels() {
          var wanted = map.getZoom() >= LABEL_ZOOM;
          if (wanted && !map.hasLayer(labels)) { labels.addTo(map); }
          if (!wanted && map.hasLayer(labels)) { map.removeLayer(labels); }
          el.dataset.labels = wanted ? "shown" : "hidden";
        }
        map.on("zoomend", showLabels);
        showLabels();
        var legend = L.control({ position: "bottomright" });
        legend.onAdd = function () {
          var div = L.DomUtil.create("div", "legend");
          div.id = "map-legend";
          var title = document.createElement("strong");
          title.textContent = (byRate ? "Crimes per 1,000 residents" : "Crimes") +
            (el.dataset.title.indexOf(":") > -1 ? el.dataset.title.slice(el.dataset.title.indexOf(":")) : "");
          div.appendChild(title);
          legendRows.forEach(function (r) {
            var row = document.createElement("div");
            row.className = "legend-row";
            var swatch = document.createElement("i");
            swatch.style.background = r.colour;
            if (r.dashed) { swatch.style.borderStyle = "dashed"; }
            row.appendChild(swatch);
            row.appendChild(document.createTextNode(r.label + " (" + plural(r.areas, p.level) + ")"));
            div.appendChild(row);
          });
          return div;
        };
        legend.addTo(map);
        var shown = counted.reduce(function (a, f) { return a + f.properties.count; }, 0);
        var fmt = function (n) { return n === null ? "fewer than " + p.suppressed_below : n.toLocaleString("en-GB"); };
        // A withheld total is either small, or hidden because it would give small cells back by subtraction.
        var total = p.total !== null ? p.total.toLocaleString("en-GB") :
          (shown >= p.suppressed_below ? "At least " + shown.toLocaleString("en-GB") : fmt(null));
        status.textContent = total + " crimes match: " + shown.toLocaleString("en-GB") + " in " +
          plural(counted.length, p.level) + " with data" +
          (uncovered ? " (" + plural(uncovered, p.level) + " drawn blank have no data for this period)" : "") +
          (p.suppressed_below ? "; small counts withheld" : "") + "; " + fmt(p.unplaced) +
          " not placed in any area." + (el.dataset.explorer ? " Click an area to open its crimes in the explorer." : "") +
          (p.perturbed ? " To protect individuals, each figure (and the total) is adjusted by a small, fixed " +
            "amount, so the areas need not add up to the total." : "");
        status.dataset.total = p.total;
        el.dataset.drawn = "true";
      })
      .catch(function (err) { status.textContent = "The map could not be drawn: " + err.message; });
  });
})();
