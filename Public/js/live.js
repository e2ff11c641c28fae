// Live feeds: a WebSocket per element with data-feed (the console's alarms and gate decisions, the guard
// desk, a household's panel, the irrigation zones). Events of the element's kind (data-event) are announced in it and the
// part of the page it names (data-table) is loaded again, so every row keeps its buttons; the focused
// row keeps the focus. data-sound: a tone with each event (the guard desk).
(function () {
  if (!window.WebSocket) return;
  var lives = document.querySelectorAll(".live[data-feed]");
  function tone() {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return;
      var ctx = tone.ctx || (tone.ctx = new Ctx());
      var osc = ctx.createOscillator(), gain = ctx.createGain();
      osc.frequency.value = 880; gain.gain.value = 0.2;
      osc.connect(gain); gain.connect(ctx.destination);
      osc.start(); osc.stop(ctx.currentTime + 0.4);
    } catch (e) {}
  }
  function follow(live) {
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + live.dataset.feed;
    var waiting = false;
    function reload() {
      if (waiting) return;
      var active = document.activeElement;
      if (active && active.closest && active.closest("form") && active.tagName !== "BUTTON") return;
      waiting = true;
      setTimeout(function () {
        fetch(location.href, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var id = live.dataset.table || "alarm-table";
          var fresh = doc.getElementById(id);
          var table = document.getElementById(id);
          var focused = document.activeElement && document.activeElement.closest("[id]");
          var focusedID = focused && table && table.contains(focused) ? focused.id : null;
          if (fresh && table) table.replaceWith(fresh);
          if (focusedID && document.getElementById(focusedID)) document.getElementById(focusedID).focus();
          document.dispatchEvent(new CustomEvent("live:reloaded", { detail: id }));
          waiting = false;
        }).catch(function () { waiting = false; });
      }, 300);
    }
    function connect() {
      var socket = new WebSocket(url);
      socket.onmessage = function (message) {
        var data;
        try { data = JSON.parse(message.data); } catch (e) { return; }
        if (data.event !== (live.dataset.event || "alarm")) return;
        if (data.event === "alarm") {
          var a = data.alarm;
          live.textContent = live.dataset["new"] + " " + (a.deviceName || "") + " " + a.type + " (" + a.severity + ", " + a.status + ")";
          var row = document.getElementById("alarm-" + a.id);
          if (row) row.classList.add("changed");
        } else if (data.event === "security" || data.event === "environment") {
          live.textContent = live.dataset["new"] + " " + new Date().toLocaleTimeString();
          if (live.dataset.sound) tone();
        } else {
          live.textContent = live.dataset["new"] + " " + data.gate + " · " + (data.person || "") + " · " + (data.allow ? "✔" : "✖") + " " + data.reason;
        }
        reload();
      };
      socket.onclose = function () { setTimeout(connect, 3000); };
    }
    connect();
  }
  for (var i = 0; i < lives.length; i++) follow(lives[i]);
})();
