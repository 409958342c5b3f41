// Numbered places on a map, numbered as the rows of the table under it (the table is the keyboard's and the
// screen reader's way to the same places): a person's crimes (#person-map), or any element with data-points
// naming the JSON script that holds its places. Labels are text, never HTML.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var maps = Array.prototype.slice.call(document.querySelectorAll("[data-points]"));
    var person = document.getElementById("person-map");
    if (person && !person.dataset.points) { person.dataset.points = "person-places"; maps.push(person); }
    maps.forEach(draw);
  });

  function draw(el) {
    var data = document.getElementById(el.dataset.points);
    if (!data) { return; }
    var places = JSON.parse(data.textContent);
    var map = L.map(el, { keyboard: false, scrollWheelZoom: false }).setView([51.49, -0.12], 10);
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution || "", maxZoom: 18 }).addTo(map);
    }
    var markers = places.map(function (p) {
      var marker = L.circleMarker([p.lat, p.lon], { radius: 7, color: "#1d3557", weight: 2, fillColor: "#e76f51",
                                                   fillOpacity: 0.85 });
      var tip = document.createElement("span");
      tip.textContent = p.n + ". " + p.label;
      marker.bindTooltip(tip);
      return marker;
    });
    var layer = L.featureGroup(markers).addTo(map);
    layer.eachLayer(function (m) {
      var path = m.getElement && m.getElement();
      if (path) { path.setAttribute("tabindex", "-1"); path.setAttribute("aria-hidden", "true"); }
    });
    if (markers.length) { map.fitBounds(layer.getBounds().pad(0.3), { maxZoom: 15 }); }
    el.dataset.drawn = "true";
  }
})();
