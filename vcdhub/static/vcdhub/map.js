// Choropleth of crime counts by borough or ward. Data comes from the API's choropleth endpoint,
// which counts with the same filter as the explorer and the API list.
(function () {
  "use strict";
  var PALETTE = ["#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b"];
  var SUPPRESSED = "#bdbdbd";

  function breaks(values) {
    // Five classes: zero, then quartiles of the non-zero counts (rounded up, strictly increasing).
    var nz = values.filter(function (v) { return v > 0; }).sort(function (a, b) { return a - b; });
    if (!nz.length) { return [1, 1, 1, 1]; }
    var q = function (p) { return nz[Math.min(nz.length - 1, Math.floor(p * nz.length))]; };
    var cuts = [1, q(0.25), q(0.5), q(0.75)];
    for (var i = 1; i < cuts.length; i++) { if (cuts[i] <= cuts[i - 1]) { cuts[i] = cuts[i - 1] + 1; } }
    return cuts;
  }

  function classOf(value, cuts) {
    var k = 0;
    while (k < cuts.length && value >= cuts[k]) { k++; }
    return k;
  }

  function legendRows(cuts) {
    var rows = [{ label: "0", color: PALETTE[0] }];
    for (var i = 0; i < cuts.length; i++) {
      var upper = i + 1 < cuts.length ? cuts[i + 1] - 1 : null;
      var label = upper === null ? cuts[i] + "+" : (upper === cuts[i] ? "" + cuts[i] : cuts[i] + "–" + upper);
      if (upper === null || upper >= cuts[i]) { rows.push({ label: label, color: PALETTE[i + 1] }); }
    }
    return rows;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("map");
    var status = document.getElementById("map-status");
    var map = L.map(el, { zoomSnap: 0.25 }).setView([51.49, -0.12], 10);
    var query = window.location.search.replace(/^\?/, "");
    fetch(el.dataset.source + (query ? "?" + query : ""), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { return response.json().then(function (e) { throw new Error(JSON.stringify(e)); }); }
        return response.json();
      })
      .then(function (data) {
        var values = data.features.map(function (f) { return f.properties.count; })
          .filter(function (v) { return v !== null; });
        var cuts = breaks(values);
        var p = data.properties;
        var layer = L.geoJSON(data, {
          style: function (f) {
            var n = f.properties.count;
            return { color: "#555", weight: 0.6, fillOpacity: 0.75,
                     fillColor: n === null ? SUPPRESSED : PALETTE[classOf(n, cuts)] };
          },
          onEachFeature: function (f, lyr) {
            var n = f.properties.count;
            lyr.bindTooltip(f.properties.name + ": " +
              (n === null ? "fewer than " + p.suppressed_below + " (suppressed)" : n));
          }
        }).addTo(map);
        if (data.features.length) { map.fitBounds(layer.getBounds()); }
        var legend = L.control({ position: "bottomright" });
        legend.onAdd = function () {
          var div = L.DomUtil.create("div", "legend");
          div.id = "map-legend";
          var rows = legendRows(cuts);
          if (p.suppressed_below) {
            rows.push({ label: "1–" + (p.suppressed_below - 1) + " (suppressed)", color: SUPPRESSED });
          }
          div.innerHTML = "<strong>Crimes</strong>" + rows.map(function (r) {
            return '<div class="legend-row"><i style="background:' + r.color + '"></i>' + r.label + "</div>";
          }).join("");
          return div;
        };
        legend.addTo(map);
        var shown = values.reduce(function (a, b) { return a + b; }, 0);
        var fmt = function (n) { return n === null ? "fewer than " + p.suppressed_below : n; };
        status.textContent = fmt(p.total) + " crimes match: " + shown + " in the " + data.features.length + " " +
          p.level + "s drawn" + (p.suppressed_below ? " (small counts withheld)" : "") + ", " +
          fmt(p.unplaced) + " not placed in any area.";
        status.dataset.total = p.total;
        el.dataset.drawn = "true";
      })
      .catch(function (err) { status.textContent = "The map could not be drawn: " + err.message; });
  });
})();
