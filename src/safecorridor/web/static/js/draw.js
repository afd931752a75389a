/* Place a site or draw a route on the offline base map: click to add points. */
(function () {
  "use strict";
  var el = document.getElementById("draw-map");
  if (!el) { return; }
  var map = L.map(el).setView([29.5, 69.5], 5);
  map.attributionControl.setPrefix(false);
  fetch("/static/geo/pakistan.geojson").then(function (r) { return r.json(); }).then(function (g) {
    L.geoJSON(g, { interactive: false, style: { color: "#6b7a8f", weight: 1, fillColor: "#f4f1ea", fillOpacity: 1 } }).addTo(map);
    layer.bringToFront();
  });
  var layer = L.featureGroup().addTo(map);
  var round = function (v) { return Math.round(v * 10000) / 10000; };
  if (el.dataset.mode === "point") {
    var lat = document.getElementById("latitude"), lon = document.getElementById("longitude");
    var marker = null;
    map.on("click", function (ev) {
      lat.value = round(ev.latlng.lat); lon.value = round(ev.latlng.lng);
      if (marker) { layer.removeLayer(marker); }
      marker = L.circleMarker(ev.latlng, { radius: 8, color: "#0b3d91" }).addTo(layer);
    });
    return;
  }
  var box = document.getElementById("points");
  var line = L.polyline([], { color: "#0b3d91", weight: 4 }).addTo(layer);
  function read() {
    return box.value.split(/[;\n]/).map(function (p) { return p.trim(); }).filter(Boolean)
      .map(function (p) { var xy = p.split(","); return [parseFloat(xy[0]), parseFloat(xy[1])]; })
      .filter(function (p) { return !isNaN(p[0]) && !isNaN(p[1]); });
  }
  function write(points) {
    box.value = points.map(function (p) { return round(p[0]) + "," + round(p[1]); }).join("; ");
    line.setLatLngs(points);
  }
  var points = read();
  line.setLatLngs(points);
  if (points.length > 1) { map.fitBounds(line.getBounds(), { padding: [20, 20] }); }
  map.on("click", function (ev) { points.push([ev.latlng.lat, ev.latlng.lng]); write(points); });
  box.addEventListener("change", function () { points = read(); line.setLatLngs(points); });
  document.getElementById("undo-point").addEventListener("click", function () { points.pop(); write(points); });
  document.getElementById("clear-points").addEventListener("click", function () { points = []; write(points); });
  window.scDraw = { map: map, points: function () { return points; } };
})();
