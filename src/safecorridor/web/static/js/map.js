/* The situation map: base map, incidents, sites, routes, risk hexes, filters, timeline.
   Every layer is read from the JSON/GeoJSON API with the session cookie (TLP-filtered
   server-side). For tests and scripts, window.sc holds the layers and the counts shown. */
(function () {
  "use strict";

  var TYPE_COLOURS = {
    "Battles": "#c0392b",
    "Explosions/Remote violence": "#d35400",
    "Violence against civilians": "#8e44ad",
    "Protests": "#27ae60",
    "Riots": "#7f5539",
    "Strategic developments": "#1f6fb2"
  };
  var RISK_COLOURS = {
    low: "#2e7d32", moderate: "#c7a500", high: "#ef6c00", severe: "#c62828", critical: "#6a1b9a"
  };
  var SITE_LETTERS = {
    port: "P", power_plant: "E", dam: "D", road_section: "R", sez: "Z", campus: "U",
    office: "O", camp: "C", mine: "M", airport: "A", rail: "L"
  };
  var MAX_BOX = 12;

  var el = document.getElementById("map");
  var status = document.getElementById("map-status");
  var form = document.getElementById("filters");
  var sc = (window.sc = { incidents: {}, sites: {}, routes: {}, risk: null, counts: {} });

  var map = L.map(el, { zoomControl: true, preferCanvas: false, minZoom: 4, maxZoom: 16 })
    .setView([29.5, 69.5], 5);
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Boundaries: Natural Earth");
  var tileUrl = el.dataset.tileUrl;
  if (tileUrl) {
    L.tileLayer(tileUrl, { maxZoom: 18, attribution: "Map tiles: configured tile server" }).addTo(map);
  }
  map.createPane("base");
  map.getPane("base").style.zIndex = 250;
  map.createPane("hexes");
  map.getPane("hexes").style.zIndex = 350;

  fetch("/static/geo/pakistan.geojson").then(function (r) { return r.json(); }).then(function (geo) {
    L.geoJSON(geo, {
      pane: "base",
      interactive: false,
      style: function (f) {
        var province = f.properties.kind === "province";
        return {
          color: province ? "#6b7a8f" : "#9aa5b1",
          weight: province ? 1.2 : 0.8,
          fillColor: province ? (tileUrl ? "transparent" : "#f4f1ea") : "#e3e6ea",
          fillOpacity: tileUrl ? 0 : 1
        };
      },
      onEachFeature: function (f, layer) {
        if (f.properties.kind === "province") {
          layer.bindTooltip(SC.text(f.properties.name), { sticky: true, className: "province-tip" });
        }
      }
    }).addTo(map);
  });

  // --- helpers ------------------------------------------------------------------------------
  function params() {
    var p = new URLSearchParams();
    new FormData(form).forEach(function (v, k) { if (v) { p.append(k, v); } });
    return p;
  }
  function say(text) { status.textContent = text; }
  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        return r.json().then(function (body) {
          if (!r.ok) { throw new Error(body.detail || r.statusText); }
          return body;
        });
      });
  }
  function openPanel(url) {
    htmx.ajax("GET", url, { target: "#panel", swap: "innerHTML" });
  }
  function setCount(name, n) {
    sc.counts[name] = n;
    el.dataset[name] = String(n);
  }
  function riskColour(level) { return RISK_COLOURS[level] || "#607080"; }

  // --- incidents ----------------------------------------------------------------------------
  var cluster = L.markerClusterGroup({
    maxClusterRadius: 40, showCoverageOnHover: false, spiderfyOnMaxZoom: true
  });
  map.addLayer(cluster);

  function loadIncidents() {
    var p = params();
    return getJSON("/api/v1/incidents.geojson?" + p.toString()).then(function (fc) {
      cluster.clearLayers();
      sc.incidents = {};
      var markers = fc.features.map(function (f) {
        var c = f.geometry.coordinates, pr = f.properties;
        var killed = pr.fatalities || 0;
        var m = L.circleMarker([c[1], c[0]], {
          radius: 6 + 2.2 * Math.sqrt(killed),
          color: "#1b1b1b", weight: 1,
          fillColor: TYPE_COLOURS[pr.event_type] || "#555", fillOpacity: 0.85
        });
        m.feature = f;
        m.bindTooltip(SC.text(pr.event_date + " · " + (pr.location || "") + " · " + SC.t("{n} killed", { n: killed })));
        m.on("click", function () { openPanel("/incidents/" + f.id + "/panel"); });
        sc.incidents[f.id] = m;
        return m;
      });
      cluster.addLayers(markers);
      setCount("incidents", markers.length);
      return markers.length;
    });
  }

  // --- sites and routes ---------------------------------------------------------------------
  var sitesLayer = L.layerGroup().addTo(map);
  var routesLayer = L.layerGroup().addTo(map);

  function siteIcon(type, level) {
    var letter = SITE_LETTERS[type] || "S";
    return L.divIcon({
      className: "site-icon",
      html: '<span style="background:' + riskColour(level) + '">' + letter + "</span>",
      iconSize: [22, 22], iconAnchor: [11, 11]
    });
  }
  function loadSites() {
    return getJSON("/api/v1/sites.geojson").then(function (fc) {
      sitesLayer.clearLayers();
      sc.sites = {};
      fc.features.forEach(function (f) {
        var c = f.geometry.coordinates, pr = f.properties;
        var m = L.marker([c[1], c[0]], {
          icon: siteIcon(pr.site_type, null), keyboard: true, title: pr.name, alt: pr.name,
          zIndexOffset: 1000
        });
        m.feature = f;
        m.on("click", function () { openPanel("/sites/" + f.id + "/panel"); });
        sitesLayer.addLayer(m);
        sc.sites[f.id] = m;
      });
      setCount("sites", fc.features.length);
    });
  }
  function loadRoutes() {
    return getJSON("/api/v1/routes.geojson").then(function (fc) {
      routesLayer.clearLayers();
      sc.routes = {};
      fc.features.forEach(function (f) {
        var line = L.geoJSON(f, { style: { color: "#607080", weight: 4, opacity: 0.85 } });
        line.bindTooltip(SC.text(f.properties.name), { sticky: true });
        line.on("click", function () { openPanel("/routes/" + f.id + "/panel"); });
        routesLayer.addLayer(line);
        sc.routes[f.id] = line;
      });
      setCount("routes", fc.features.length);
    });
  }
  function paintRisk() {
    getJSON("/map/risk.json").then(function (risk) {
      sc.risk = risk;
      Object.keys(sc.sites).forEach(function (id) {
        var m = sc.sites[id], r = risk.sites[id];
        if (r) {
          m.setIcon(siteIcon(m.feature.properties.site_type, r.level));
          m.bindTooltip(SC.text(m.feature.properties.name + " · " + (r.sentence || "risk " + r.level)));
        }
      });
      Object.keys(sc.routes).forEach(function (id) {
        var r = risk.routes[id];
        if (r) {
          sc.routes[id].setStyle({ color: riskColour(r.level) });
          sc.routes[id].bindTooltip(
            SC.text(sc.routes[id].getLayers()[0].feature.properties.name + " · " +
              (r.sentence || "risk " + r.level)),
            { sticky: true });
        }
      });
    }).catch(function (e) { say(SC.t("Risk levels could not be loaded: {why}", { why: e.message })); });
  }

  // --- risk hexes ---------------------------------------------------------------------------
  var hexLayer = L.layerGroup();
  function boxes(b) {
    var w = Math.max(b.getWest(), 55), e = Math.min(b.getEast(), 82);
    var s = Math.max(b.getSouth(), 20), n = Math.min(b.getNorth(), 40);
    var out = [];
    for (var x = w; x < e; x += MAX_BOX) {
      for (var y = s; y < n; y += MAX_BOX) {
        out.push([x, y, Math.min(x + MAX_BOX, e), Math.min(y + MAX_BOX, n)]);
      }
    }
    return out;
  }
  function loadHexes() {
    if (!map.hasLayer(hexLayer)) { return Promise.resolve(); }
    var asOf = form.elements.until.value;
    return Promise.all(boxes(map.getBounds()).map(function (bx) {
      var url = "/api/v1/risk/surface.geojson?min_threat=0.05&bbox=" + bx.map(function (v) {
        return v.toFixed(3);
      }).join(",") + (asOf ? "&as_of=" + asOf : "");
      return getJSON(url);
    })).then(function (all) {
      hexLayer.clearLayers();
      var n = 0;
      all.forEach(function (fc) {
        n += fc.features.length;
        hexLayer.addLayer(L.geoJSON(fc, {
          pane: "hexes", interactive: false,
          style: function (f) {
            return {
              stroke: false, fillColor: riskColour(f.properties.level), fillOpacity: 0.45
            };
          }
        }));
      });
      setCount("hexes", n);
    }).catch(function (e) { say(SC.t("Risk hexes could not be loaded: {why}", { why: e.message })); });
  }
  document.getElementById("layer-hexes").addEventListener("change", function (ev) {
    if (ev.target.checked) { map.addLayer(hexLayer); loadHexes(); } else { map.removeLayer(hexLayer); }
  });
  map.on("moveend", function () { if (map.hasLayer(hexLayer)) { loadHexes(); } });
  function toggle(id, layer) {
    document.getElementById(id).addEventListener("change", function (ev) {
      if (ev.target.checked) { map.addLayer(layer); } else { map.removeLayer(layer); }
    });
  }
  toggle("layer-incidents", cluster);
  toggle("layer-sites", sitesLayer);
  toggle("layer-routes", routesLayer);

  // --- legend of incident types -------------------------------------------------------------
  var legend = document.getElementById("type-legend");
  Object.keys(TYPE_COLOURS).forEach(function (t) {
    var li = document.createElement("li");
    var dot = document.createElement("span");
    dot.className = "dot";
    dot.style.background = TYPE_COLOURS[t];
    li.appendChild(dot);
    li.appendChild(document.createTextNode(SC.t(t)));
    legend.appendChild(li);
  });

  // --- timeline -----------------------------------------------------------------------------
  var chart = null, timeline = null, anchor = null;
  var granularity = document.getElementById("granularity");
  var periodLabel = document.getElementById("period");
  var clearPeriod = document.getElementById("clear-period");

  function loadTimeline() {
    var p = params();
    p.delete("since"); p.delete("until");  // the timeline shows the whole range to brush in
    p.set("granularity", granularity.value);
    return getJSON("/timeline.json?" + p.toString()).then(function (data) {
      timeline = data;
      var datasets = Object.keys(data.types).map(function (t) {
        return {
          type: "bar", label: SC.t(t), data: data.types[t], stack: "n",
          backgroundColor: TYPE_COLOURS[t] || "#555", yAxisID: "y"
        };
      });
      datasets.push({
        type: "line", label: SC.t("fatalities"), data: data.fatalities, borderColor: "#222",
        backgroundColor: "#222", pointRadius: 2, borderWidth: 1.5, yAxisID: "y2"
      });
      datasets.push({
        type: "line", label: SC.t("foreign fatalities"), data: data.foreign_fatalities,
        borderColor: "#d81b60", backgroundColor: "#d81b60", pointRadius: 2, borderWidth: 1.5,
        borderDash: [4, 3], yAxisID: "y2"
      });
      var cfg = {
        data: { labels: data.periods, datasets: datasets },
        options: {
          animation: false, responsive: true, maintainAspectRatio: false,
          interaction: { mode: "index", intersect: false },
          plugins: { legend: { position: "top", align: "end", labels: { boxWidth: 10, font: { size: 10 } } } },
          scales: {
            x: { stacked: true, ticks: { maxRotation: 0, autoSkip: true, font: { size: 10 } } },
            y: { stacked: true, beginAtZero: true, title: { display: true, text: SC.t("incidents") },
                 ticks: { precision: 0 } },
            y2: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false },
                  title: { display: true, text: SC.t("killed") } }
          },
          onClick: function (ev, elements) {
            var els = chart.getElementsAtEventForMode(ev, "index", { intersect: false }, false);
            if (!els.length) { return; }
            selectPeriod(els[0].index, ev.native && ev.native.shiftKey);
          }
        }
      };
      if (chart) { chart.destroy(); }
      chart = new Chart(document.getElementById("timeline-chart"), cfg);
      sc.chart = chart;
    }).catch(function (e) { say(e.message); });
  }
  function selectPeriod(i, extend) {
    if (!timeline) { return; }
    var a = extend && anchor !== null ? Math.min(anchor, i) : i;
    var b = extend && anchor !== null ? Math.max(anchor, i) : i;
    if (!extend) { anchor = i; }
    form.elements.since.value = timeline.periods[a];
    form.elements.until.value = timeline.ends[b];
    apply();
  }
  sc.selectPeriod = selectPeriod;
  clearPeriod.addEventListener("click", function () {
    form.elements.since.value = ""; form.elements.until.value = ""; anchor = null; apply();
  });
  granularity.addEventListener("change", loadTimeline);

  // --- filters ------------------------------------------------------------------------------
  function showPeriod() {
    var s = form.elements.since.value, u = form.elements.until.value;
    periodLabel.textContent = s || u ? SC.t("Period: {start} to {end}", { start: s || "…", end: u || "…" }) : "";
    clearPeriod.hidden = !(s || u);
  }
  function apply(reloadTimeline) {
    var p = params();
    var query = p.toString();
    history.replaceState(null, "", query ? "/?" + query : "/");
    showPeriod();
    el.dataset.loaded = "false";
    say(SC.t("Loading…"));
    htmx.ajax("GET", "/incidents?compact=1&" + query, { target: "#list", swap: "innerHTML" });
    var work = [loadIncidents().then(function (n) {
      say(SC.t(n === 1 ? "{n} incident shown" : "{n} incidents shown", { n: n }));
    }).catch(function (e) { setCount("incidents", 0); cluster.clearLayers(); say(e.message); })];
    if (reloadTimeline) { work.push(loadTimeline()); }
    if (map.hasLayer(hexLayer)) { work.push(loadHexes()); }
    return Promise.all(work).then(function () { el.dataset.loaded = "true"; });
  }
  sc.apply = apply;
  form.addEventListener("submit", function (ev) { ev.preventDefault(); apply(true); });
  form.addEventListener("reset", function () {
    setTimeout(function () { anchor = null; apply(true); }, 0);
  });
  form.addEventListener("change", function (ev) {
    if (ev.target.tagName === "SELECT") { apply(true); }
  });

  // the URL's query fills the form (links from other pages, reloads)
  new URLSearchParams(location.search).forEach(function (v, k) {
    if (form.elements[k]) { form.elements[k].value = v; }
  });
  showPeriod();
  Promise.all([
    loadIncidents().then(function (n) { say(SC.t("{n} incidents shown", { n: n })); }),
    loadSites(), loadRoutes()
  ]).then(function () {
    el.dataset.loaded = "true";
    paintRisk();
  }).catch(function (e) { say(e.message); el.dataset.loaded = "true"; });
  if (window.Chart) { loadTimeline(); } else { window.addEventListener("load", loadTimeline); }

  // the list's rows and the panel: open a record on the map
  document.addEventListener("click", function (ev) {
    var row = ev.target.closest("[data-incident-id]");
    if (row && row.closest("#list") && !ev.target.closest("a")) {
      var m = sc.incidents[row.dataset.incidentId];
      openPanel("/incidents/" + row.dataset.incidentId + "/panel");
      if (m) { cluster.zoomToShowLayer(m, function () {}); }
    }
    if (ev.target.closest("[data-close-panel]")) { document.getElementById("panel").innerHTML = ""; }
  });
})();
