/* Movement pages: the board's map of movements on the road (route, last check-in, expected
   position), a movement's route map, and the request form's preview of a registered route. */
(function () {
  "use strict";
  var COLOURS = { low: "#2e7d32", moderate: "#c7a500", high: "#ef6c00", severe: "#c62828", critical: "#6a1b9a" };
  var BASE = { interactive: false, style: { color: "#6b7a8f", weight: 1, fillColor: "#f4f1ea", fillOpacity: 1 } };

  function baseMap(map, then) {
    fetch("/static/geo/pakistan.geojson").then(function (r) { return r.json(); }).then(function (g) {
      L.geoJSON(g, BASE).addTo(map).bringToBack();
      if (then) { then(); }
    });
  }

  var el = document.getElementById("movement-map");
  if (el) {
    var items = JSON.parse(document.getElementById("movement-data").textContent);
    var map = L.map(el, { attributionControl: false }).setView([30.5, 70.5], 5);
    var layer = L.featureGroup().addTo(map);
    var shown = 0;
    items.forEach(function (m) {
      if (!m.points || m.points.length < 2) { return; }
      var colour = COLOURS[m.level] || "#607080";
      var line = L.polyline(m.points, { color: colour, weight: 5, opacity: m.state === "overdue" ? 1 : 0.85,
        dashArray: m.state === "overdue" ? "10 6" : null }).addTo(layer);
      line.bindTooltip(SC.text("#" + m.id + " " + m.name + (m.state === "overdue" ? " (OVERDUE)" : "")));
      line.on("click", function () { window.location.href = "/movements/" + m.id; });
      if (m.expected) {
        L.circleMarker(m.expected, { radius: 8, color: "#0b3d91", weight: 2, dashArray: "3 3", fillColor: "#fff", fillOpacity: 0.9 })
          .bindTooltip(SC.text("#" + m.id + " expected at km " + m.expected_km + " of " + m.length_km)).addTo(layer);
      }
      if (m.last) {
        L.circleMarker([m.last.lat, m.last.lon], { radius: 8, color: "#fff", weight: 2, fillColor: m.state === "overdue" ? "#a4161a" : "#0b3d91", fillOpacity: 1 })
          .bindTooltip(SC.text("#" + m.id + " last check-in " + m.last.at + " UTC"), { permanent: el.dataset.mode === "board" && items.length <= 3, direction: "right" })
          .addTo(layer);
      }
      shown += 1;
    });
    if (shown) { map.fitBounds(layer.getBounds(), { padding: [30, 30], maxZoom: 9 }); }
    baseMap(map, function () {
      layer.bringToFront();
      el.dataset.underWay = String(shown);
      el.dataset.loaded = "true";
    });
    window.scMovements = { map: map, count: shown };
  }

  var route = document.getElementById("route");
  var data = document.getElementById("route-points");
  if (route && data && window.scDraw) {
    var all = JSON.parse(data.textContent);
    window.scDraw.map.createPane("preview").style.zIndex = 450;
    var preview = L.polyline([], { pane: "preview", color: "#c62828", weight: 4, dashArray: "8 6" }).addTo(window.scDraw.map);
    var box = document.getElementById("points");
    route.addEventListener("change", function () {
      var pts = all[route.value] || [];
      preview.setLatLngs(pts);
      box.disabled = pts.length > 0;
      if (pts.length > 1) { window.scDraw.map.fitBounds(preview.getBounds(), { padding: [20, 20] }); }
    });
  }
})();
