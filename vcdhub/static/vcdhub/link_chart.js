// The link chart (Cytoscape.js, served by vcdhub). Rings by hops from the subject; node colour by kind (or
// community), edge colour by kind and line by confidence, node size by betweenness (or degree). Labels are drawn
// as text on a canvas, never as HTML. The tables under the chart are the keyboard's and the screen reader's way
// to the same nodes and links.
(function () {
  "use strict";
  var COLOURS = { person: "#1d3557", place: "#2a9d8f", crime: "#9d0208", report: "#6a4c93", vehicle: "#b5651d",
                  phone: "#b5651d" };
  var EDGE_COLOURS = { person: "#1d3557", place: "#2a9d8f", crime: "#9d0208", report: "#6a4c93", item: "#b5651d" };
  // Communities: a qualitative palette (ColorBrewer Dark2), repeated past eight.
  var COMMUNITY = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"];
  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("link-chart");
    var data = document.getElementById("chart-elements");
    if (!el || !data || typeof cytoscape === "undefined") { return; }
    var subject = el.dataset.subject;
    var colourBy = "kind";
    var sizeBy = "betweenness";
    var choice = document.getElementById("colour-by");
    var sizing = document.getElementById("size-by");
    var maxDegree = 1;
    JSON.parse(data.textContent).forEach(function (e) {
      if (e.data.degree > maxDegree) { maxDegree = e.data.degree; }
    });
    function size(n) {
      var share = sizeBy === "degree" ? n.data("degree") / maxDegree : n.data("betweenness");
      return 12 + 36 * share;
    }
    var started = performance.now();
    var cy = cytoscape({
      container: el,
      elements: JSON.parse(data.textContent),
      wheelSensitivity: 0.2,
      style: [
        { selector: "node", style: {
          "background-color": function (n) {
            if (colourBy === "community") { return COMMUNITY[(n.data("community") - 1) % COMMUNITY.length]; }
            return COLOURS[n.data("kind")] || "#555";
          },
          "label": "data(label)", "font-size": 9, "color": "#111", "text-valign": "bottom", "text-margin-y": 2,
          "width": size, "height": size,
          "shape": function (n) {
            return { person: "ellipse", place: "round-rectangle", crime: "triangle", report: "rectangle" }[n.data("kind")]
              || "diamond";
          } } },
        { selector: "node[id = '" + subject.replace(/'/g, "") + "']", style: { "width": 40, "height": 40,
          "border-width": 3, "border-color": "#e76f51" } },
        { selector: "edge", style: { "width": 1.5, "curve-style": "bezier",
          "line-color": function (e) { return EDGE_COLOURS[e.data("type")] || "#777"; },
          "line-style": function (e) {
            return { confirmed: "solid", tentative: "dashed", unconfirmed: "dotted" }[e.data("confidence")] || "dotted";
          } } }
      ],
      layout: { name: "concentric", concentric: function (n) { return 10 - n.data("hop"); },
                levelWidth: function () { return 1; }, minNodeSpacing: 18, animate: false }
    });
    cy.on("tap", "node", function (evt) {
      var url = evt.target.data("url");
      if (url) { window.location.assign(url); }
    });
    if (choice) {
      choice.addEventListener("change", function () {
        colourBy = choice.value;
        cy.style().update();
      });
    }
    if (sizing) {
      sizing.addEventListener("change", function () {
        sizeBy = sizing.value;
        cy.style().update();
      });
    }
    el.dataset.drawn = "true";
    el.dataset.drawMs = String(Math.round(performance.now() - started));  // Cytoscape alone
    el.dataset.drawnAt = String(Math.round(performance.now()));  // since the page was asked for (bench/intel.py)
    var png = document.getElementById("chart-png");
    if (png) {
      png.addEventListener("click", function () {
        var link = document.createElement("a");
        link.href = cy.png({ full: true, scale: 2, bg: "#ffffff" });
        link.download = "vcdhub-chart.png";
        document.body.appendChild(link);
        link.click();
        link.remove();
      });
    }
  });
})();
