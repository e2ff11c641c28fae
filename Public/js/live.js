// Live console feed: a WebSocket of the community's events (alarms, gate decisions). Events of the
// page's kind (data-event) are announced in the status line and the page's table (data-table) is
// reloaded, so every row keeps its buttons.
(function () {
  var live = document.getElementById("live");
  if (!live || !window.WebSocket) return;
  var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + live.dataset.feed;
  var socket;
  var waiting = false;
  function connect() {
    socket = new WebSocket(url);
    socket.onmessage = function (message) {
      var data;
      try { data = JSON.parse(message.data); } catch (e) { return; }
      if (data.event !== (live.dataset.event || "alarm")) return;
      if (data.event === "alarm") {
        var a = data.alarm;
        live.textContent = live.dataset["new"] + " " + (a.deviceName || "") + " " + a.type + " (" + a.severity + ", " + a.status + ")";
        var row = document.getElementById("alarm-" + a.id);
        if (row) row.classList.add("changed");
      } else {
        live.textContent = live.dataset["new"] + " " + data.gate + " · " + (data.person || "") + " · " + (data.allow ? "✔" : "✖") + " " + data.reason;
      }
      if (!waiting && !document.activeElement.closest("form")) {
        waiting = true;
        setTimeout(function () {
          fetch(location.href, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (html) {
            var doc = new DOMParser().parseFromString(html, "text/html");
            var id = live.dataset.table || "alarm-table";
            var fresh = doc.getElementById(id);
            var table = document.getElementById(id);
            if (fresh && table) table.replaceWith(fresh);
            waiting = false;
          }).catch(function () { waiting = false; });
        }, 300);
      }
    };
    socket.onclose = function () { setTimeout(connect, 3000); };
  }
  connect();
})();
