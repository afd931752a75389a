/* The check-in page: take the browser's position (or the hand-entered one) and post it. */
(function () {
  "use strict";
  var form = document.getElementById("checkin-form");
  if (!form) { return; }
  var button = document.getElementById("checkin-here");
  var status = document.getElementById("geo-status");
  var lat = document.getElementById("latitude"), lon = document.getElementById("longitude");
  var manual = document.getElementById("manual");
  function fallback(message) {
    status.textContent = SC.t("{why} Enter the position by hand below, then send.", { why: message });
    manual.open = true;
    lat.focus();
  }
  button.addEventListener("click", function () {
    if (!("geolocation" in navigator)) { fallback(SC.t("This browser gives no location.")); return; }
    status.textContent = SC.t("Finding your position…");
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(function (pos) {
      lat.value = pos.coords.latitude.toFixed(5);
      lon.value = pos.coords.longitude.toFixed(5);
      status.textContent = SC.t("Position {lat}, {lon} (± {m} m).", { lat: lat.value, lon: lon.value, m: Math.round(pos.coords.accuracy) });
      button.disabled = false;
      htmx.trigger(form, "submit");
    }, function (err) {
      button.disabled = false;
      fallback(SC.t("No position ({why}).", { why: err.message }));
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });
})();
