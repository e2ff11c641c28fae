// Live alarm feed for the console: a WebSocket of the community's alarm changes. New or changed
// alarms are announced in the status line; the table is reloaded so every row keeps its buttons.
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
      if (data.event !== "alarm") return;
      var a = data.alarm;
      live.textContent = live.dataset["new"] + " " + (a.deviceName || "") + " " + a.type + " (" + a.severity + ", " + a.status + ")";
      var row = document.getElementById("alarm-" + a.id);
      if (row) row.classList.add("changed");
      if (!waiting && !document.activeElement.closest("form")) {
        waiting = true;
        setTimeout(function () {
          fetch(location.href, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (html) {
            var doc = new DOMParser().parseFromString(html, "text/html");
            var fresh = doc.getElementById("alarm-table");
            var table = document.getElementById("alarm-table");
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
