// The visitor's time zone, from the browser, for the server to show times in.
// The first time (no cookie yet) the page is loaded again (a GET) in that zone.
(function () {
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var known = document.cookie.split("; ").some(function (c) { return c.indexOf("tz=") === 0; });
  if (!zone || known) return;
  document.cookie = "tz=" + zone + "; path=/; max-age=31536000; samesite=lax";
  var note = document.getElementById("zone-note");
  var asked = new URLSearchParams(window.location.search).has("tz");
  if (note && note.dataset.zone !== zone && !asked) window.location.replace(window.location.href);
})();
