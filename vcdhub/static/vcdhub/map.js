// Choropleth of crime counts by borough or ward. Data comes from the API's choropleth endpoint,
// which counts with the same filter as the explorer and the API list.
(function () {
  "use strict";
  var PALETTE = ["#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b"];
  var SUPPRESSED = "#bdbdbd";
  var NO_DATA = "#ffffff";

  function quantile(sorted, p) {
    return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  }

  // Class lower bounds: 1, then the quartiles of the non-zero counts, without repeats.
  function breaks(values) {
    var nz = values.filter(function (v) { return v > 0; }).sort(function (a, b) { return a - b; });
    var cuts = [1];
    [0.25, 0.5, 0.75].forEach(function (p) {
      var q = nz.length ? quantile(nz, p) : 1;
      if (q > cuts[cuts.length - 1]) { cuts.push(q); }
    });
    return { cuts: cuts, max: nz.length ? nz[nz.length - 1] : 0 };
  }

  function classOf(value, cuts) {
    var k = 0;
    while (k < cuts.length && value >= cuts[k]) { k++; }
    return k;  // 0 is zero; k is the class whose lower bound is cuts[k - 1]
  }

  function legendRows(b) {
    var rows = [{ label: "0", color: PALETTE[0] }];
    b.cuts.forEach(function (lo, i) {
      if (lo > b.max) { return; }
      var hi = i + 1 < b.cuts.length ? Math.min(b.cuts[i + 1] - 1, b.max) : b.max;
      rows.push({ label: lo === hi ? String(lo) : lo.toLocaleString("en-GB") + "–" + hi.toLocaleString("en-GB"),
                  color: PALETTE[i + 1] });
    });
    return rows;
  }

  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

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
        var p = data.properties;
        var counted = data.features.filter(function (f) { return f.properties.covered && f.properties.count !== null; });
        var values = counted.map(function (f) { return f.properties.count; });
        var b = breaks(values);
        var uncovered = data.features.filter(function (f) { return !f.properties.covered; }).length;
        var layer = L.geoJSON(data, {
          style: function (f) {
            var n = f.properties.count;
            if (!f.properties.covered) {
              return { color: "#999", weight: 0.5, dashArray: "3 3", fillOpacity: 0.6, fillColor: NO_DATA };
            }
            return { color: "#555", weight: 0.6, fillOpacity: 0.75,
                     fillColor: n === null ? SUPPRESSED : PALETTE[classOf(n, b.cuts)] };
          },
          onEachFeature: function (f, lyr) {
            var n = f.properties.count;
            var text = !f.properties.covered ? "no data in this period" :
              (n === null ? "fewer than " + p.suppressed_below + " (withheld)" : n.toLocaleString("en-GB"));
            // Area names come from boundary files: text, never HTML (a crafted name must not run script).
            var tip = document.createElement("span");
            tip.textContent = f.properties.name + ": " + text;
            lyr.bindTooltip(tip);
          }
        }).addTo(map);
        var focus = L.geoJSON(data.features.filter(function (f) { return f.properties.covered; }));
        var bounds = focus.getLayers().length ? focus.getBounds() : layer.getBounds();
        if (bounds.isValid()) { map.fitBounds(bounds); }
        var legend = L.control({ position: "bottomright" });
        legend.onAdd = function () {
          var div = L.DomUtil.create("div", "legend");
          div.id = "map-legend";
          var rows = legendRows(b);
          if (p.suppressed_below) {
            rows.push({ label: "1–" + (p.suppressed_below - 1) + " (withheld)", color: SUPPRESSED });
          }
          if (uncovered) { rows.push({ label: "no data", color: NO_DATA, dashed: true }); }
          var title = document.createElement("strong");
          title.textContent = "Crimes";
          div.appendChild(title);
          rows.forEach(function (r) {  // built from DOM nodes, as every label should be
            var row = document.createElement("div");
            row.className = "legend-row";
            var swatch = document.createElement("i");
            swatch.style.background = r.color;
            if (r.dashed) { swatch.style.borderStyle = "dashed"; }
            row.appendChild(swatch);
            row.appendChild(document.createTextNode(r.label));
            div.appendChild(row);
          });
          return div;
        };
        legend.addTo(map);
        var shown = values.reduce(function (a, v) { return a + v; }, 0);
        var fmt = function (n) { return n === null ? "fewer than " + p.suppressed_below : n.toLocaleString("en-GB"); };
        // A withheld total is either small, or hidden because it would give small cells back by subtraction.
        var total = p.total !== null ? p.total.toLocaleString("en-GB") :
          (shown >= p.suppressed_below ? "At least " + shown.toLocaleString("en-GB") : fmt(null));
        status.textContent = total + " crimes match: " + shown.toLocaleString("en-GB") + " in " +
          plural(counted.length, p.level) + " with data" +
          (uncovered ? " (" + plural(uncovered, p.level) + " drawn blank have no data for this period)" : "") +
          (p.suppressed_below ? "; small counts withheld" : "") + "; " + fmt(p.unplaced) +
          " not placed in any area." +
          (p.perturbed ? " To protect individuals, each figure (and the total) is adjusted by a small, fixed " +
            "amount, so the areas need not add up to the total." : "");
        status.dataset.total = p.total;
        el.dataset.drawn = "true";
      })
      .catch(function (err) { status.textContent = "The map could not be drawn: " + err.message; });
  });
})();
