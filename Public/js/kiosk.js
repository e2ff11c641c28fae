// A kiosk's session: after 50 s without input a ten-second countdown shows over the page; "continue"
// (or any input before it) keeps the session, the end of it signs out. Input also tells the server,
// at most every 20 s, so a long read or a long question does not outlast the server's own limit.
(function () {
  var dialog = document.getElementById("idle");
  var form = document.getElementById("terminal-sign-out");
  if (!dialog || !form) return;
  var quiet = 50, countdown = 10;
  var seconds = document.getElementById("idle-seconds");
  var keep = document.getElementById("idle-continue");
  var alive = form.getAttribute("data-alive");
  var last = Date.now(), told = Date.now(), gone = false;
  function activity() {
    last = Date.now();
    if (Date.now() - told > 20000 && alive) {
      told = Date.now();
      fetch(alive, { credentials: "same-origin", cache: "no-store" }).catch(function () {});
    }
  }
  ["keydown", "pointerdown", "touchstart", "input", "wheel", "scroll"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      if (!dialog.hidden && event.target !== keep) return;
      activity();
    }, true);
  });
  keep.addEventListener("click", function () {
    dialog.hidden = true;
    told = 0;
    activity();
  });
  var print = document.getElementById("terminal-print");
  if (print) print.addEventListener("click", function () { window.print(); });
  setInterval(function () {
    if (gone) return;
    var idle = (Date.now() - last) / 1000;
    if (idle >= quiet + countdown) {
      gone = true;
      var marker = document.createElement("input");
      marker.type = "hidden"; marker.name = "idle"; marker.value = "1";
      form.appendChild(marker);
      form.submit();
    } else if (idle >= quiet) {
      if (dialog.hidden) { dialog.hidden = false; keep.focus(); }
      seconds.textContent = String(Math.ceil(quiet + countdown - idle));
    }
  }, 250);
})();
