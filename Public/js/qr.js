// Keeps the gate QR current: fetches a fresh code when the 30-second window turns.
(function () {
  var box = document.getElementById("my-qr");
  if (!box || !window.fetch) return;
  function later(seconds) { setTimeout(refresh, Math.max(1, seconds) * 1000 + 200); }
  function refresh() {
    fetch("/access/qr", { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      var next = parseInt(r.headers.get("X-Refresh-In") || "30", 10);
      return r.text().then(function (svg) { box.innerHTML = svg; later(next); });
    }).catch(function () { later(10); });
  }
  later(parseInt(box.dataset.refresh || "30", 10));
})();
