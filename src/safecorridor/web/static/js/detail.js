/* A site's or route's detail page: a small location map and the 24-month risk trend. */
(function () {
  "use strict";
  var COLOURS = { low: "#2e7d32", moderate: "#c7a500", high: "#ef6c00", severe: "#c62828", critical: "#6a1b9a" };
  var LEVELS = ["low", "moderate", "high", "severe", "critical"];
  var el = document.getElementById("mini-map");
  if (el) {
    var pts = JSON.parse(el.dataset.points);
    var map = L.map(el, { zoomControl: true, attributionControl: false });
    fetch("/static/geo/pakistan.geojson").then(function (r) { return r.json(); }).then(function (g) {
      L.geoJSON(g, { interactive: false, style: { color: "#6b7a8f", weight: 1, fillColor: "#f4f1ea", fillOpacity: 1 } }).addTo(map).bringToBack();
    });
    var colour = COLOURS[el.dataset.level] || "#607080";
    if (pts.length === 1) {
      L.circleMarker(pts[0], { radius: 9, color: "#1b1b1b", weight: 1, fillColor: colour, fillOpacity: 0.9 }).addTo(map);
      map.setView(pts[0], 7);
    } else {
      var line = L.polyline(pts, { color: colour, weight: 4 }).addTo(map);
      map.fitBounds(line.getBounds(), { padding: [10, 10] });
    }
  }
  var data = JSON.parse(document.getElementById("trend-data").textContent);
  var canvas = document.getElementById("trend-chart");
  if (canvas && window.Chart) {
    window.scTrend = new Chart(canvas, {
      type: "line",
      data: {
        labels: data.map(function (d) { return d.as_of.slice(0, 7); }),
        datasets: [{
          label: "risk score", data: data.map(function (d) { return d.score; }),
          borderColor: "#333", borderWidth: 1.5, tension: 0.2,
          pointBackgroundColor: data.map(function (d) { return COLOURS[d.level]; }),
          pointRadius: 4
        }]
      },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        plugins: { legend: { display: false }, tooltip: { callbacks: {
          label: function (ctx) { var d = data[ctx.dataIndex]; return d.level + " (" + d.score.toFixed(2) + ")"; }
        } } },
        scales: { y: { beginAtZero: true, title: { display: true, text: "score" } },
                  x: { ticks: { maxRotation: 0, autoSkip: true, font: { size: 10 } } } }
      }
    });
  }
  void LEVELS;
})();
