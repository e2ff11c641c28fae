// The check-in page at the door. Reads QR codes with the camera where the browser can
// (BarcodeDetector), else takes the typed code. Online, each scan is sent at once and the
// server's answer shown. Offline, the ticket is checked against the event's ticket hashes kept
// on the page, the scan is queued (with its nonce) in localStorage, and the queue is sent when
// the network is back; a ticket another phone already checked in is listed as a conflict.
(function () {
  var box = document.getElementById("door");
  if (!box || !window.fetch) return;
  var form = document.getElementById("door-form");
  var input = document.getElementById("door-code");
  var result = document.getElementById("door-result");
  var queueLine = document.getElementById("door-queue");
  var conflicts = document.getElementById("door-conflicts");
  var offlineNote = document.getElementById("door-offline");
  var texts = document.getElementById("door-texts").dataset;
  var eventID = box.dataset.event;
  var hashes = new Set((box.dataset.hashes || "").split(",").filter(Boolean));
  var queueKey = "linli-door-queue-" + eventID;
  var seenKey = "linli-door-seen-" + eventID;

  function load(key) { try { return JSON.parse(localStorage.getItem(key) || "[]"); } catch (e) { return []; } }
  function save(key, value) { try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) {} }
  function nonce() {
    var a = new Uint8Array(12); crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function normal(code) { return code.toUpperCase().replace(/[\s-]/g, ""); }
  function show(kind, message) {
    result.className = "door-result " + kind; result.textContent = message; result.focus();
  }
  function showQueue() {
    var n = load(queueKey).length;
    queueLine.textContent = n ? texts.waiting.replace("{n}", n) : "";
  }

  // SHA-256 (FIPS 180-4), so offline checking works on plain http where crypto.subtle is absent.
  function sha256(text) {
    var K = [], H = [], i, j;
    function frac(x) { return ((x - Math.floor(x)) * 4294967296) | 0; }
    for (var n = 2, found = 0; found < 64; n++) {
      var prime = true;
      for (j = 2; j * j <= n; j++) if (n % j === 0) { prime = false; break; }
      if (prime) { if (found < 8) H[found] = frac(Math.pow(n, 1 / 2)); K[found++] = frac(Math.pow(n, 1 / 3)); }
    }
    var bytes = unescape(encodeURIComponent(text)), words = [], len = bytes.length * 8;
    for (i = 0; i < bytes.length; i++) words[i >> 2] |= bytes.charCodeAt(i) << (24 - (i % 4) * 8);
    words[len >> 5] |= 0x80 << (24 - (len % 32));
    words[(((len + 64) >> 9) << 4) + 15] = len;
    function r(x, n) { return (x >>> n) | (x << (32 - n)); }
    for (i = 0; i < words.length; i += 16) {
      var w = [], a = H.slice(0);
      for (j = 0; j < 16; j++) w[j] = words[i + j] | 0;
      for (j = 0; j < 64; j++) {
        if (j >= 16) {
          var s0 = r(w[j - 15], 7) ^ r(w[j - 15], 18) ^ (w[j - 15] >>> 3);
          var s1 = r(w[j - 2], 17) ^ r(w[j - 2], 19) ^ (w[j - 2] >>> 10);
          w[j] = (w[j - 16] + s0 + w[j - 7] + s1) | 0;
        }
        var t1 = (a[7] + (r(a[4], 6) ^ r(a[4], 11) ^ r(a[4], 25)) + ((a[4] & a[5]) ^ (~a[4] & a[6])) + K[j] + w[j]) | 0;
        var t2 = ((r(a[0], 2) ^ r(a[0], 13) ^ r(a[0], 22)) + ((a[0] & a[1]) ^ (a[0] & a[2]) ^ (a[1] & a[2]))) | 0;
        a = [(t1 + t2) | 0].concat(a.slice(0, 7)); a[4] = (a[4] + t1) | 0;
      }
      for (j = 0; j < 8; j++) H[j] = (H[j] + a[j]) | 0;
    }
    return H.map(function (h) { return ("00000000" + (h >>> 0).toString(16)).slice(-8); }).join("");
  }

  function send(scan) {
    var body = new URLSearchParams({ _csrf: box.dataset.csrf, code: scan.code, nonce: scan.nonce, direction: scan.direction });
    return fetch(box.dataset.scan, {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "Accept": "application/json" }
    }).then(function (r) {
      if (r.status >= 500) throw new Error("server");
      return r.json().then(function (answer) { answer.status = r.status; return answer; });
    });
  }

  function offline(scan) {
    var hash = sha256(normal(scan.code));
    if (!hashes.has(hash)) { show("refused", texts.unknown); return; }
    var seen = load(seenKey);
    if (scan.direction === "in" && seen.indexOf(hash) >= 0) { show("refused", texts.already); return; }
    if (scan.direction === "in") { seen.push(hash); save(seenKey, seen); }
    var queue = load(queueKey); queue.push(scan); save(queueKey, queue);
    show("queued", texts.queued); showQueue();
  }

  var syncing = false;
  function sync() {
    var queue = load(queueKey);
    if (syncing || !queue.length) return;
    syncing = true;
    var scan = queue[0];
    send(scan).then(function (answer) {
      save(queueKey, load(queueKey).slice(1));
      if (!answer.ok && answer.reason === "already_in") {
        var li = document.createElement("li");
        li.textContent = texts.conflict.replace("{code}", scan.code) + " " + answer.message;
        conflicts.appendChild(li);
      }
      syncing = false; offlineNote.hidden = true; showQueue(); sync();
    }).catch(function () { syncing = false; offlineNote.hidden = false; });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var code = input.value.trim();
    if (!code) return;
    var direction = form.querySelector("input[name=direction]:checked").value;
    var scan = { code: code, nonce: nonce(), direction: direction, at: Date.now() };
    input.value = "";
    send(scan).then(function (answer) {
      offlineNote.hidden = true;
      show(answer.ok ? "ok" : "refused", answer.message);
      if (answer.ok && answer.status === 201 && direction === "in") {
        var n = document.getElementById("door-in"); n.textContent = String(parseInt(n.textContent, 10) + 1);
      }
      sync();
    }).catch(function () { offlineNote.hidden = false; offline(scan); });
    input.focus();
  });

  // The camera, where the browser reads QR codes itself.
  var cameraButton = document.getElementById("door-camera");
  var video = document.getElementById("door-video");
  if ("BarcodeDetector" in window && navigator.mediaDevices) {
    cameraButton.hidden = false;
    cameraButton.addEventListener("click", function () {
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
        video.srcObject = stream; video.hidden = false; video.play();
        var last = "", lastAt = 0;
        setInterval(function () {
          detector.detect(video).then(function (codes) {
            if (!codes.length) return;
            var code = codes[0].rawValue, now = Date.now();
            if (code === last && now - lastAt < 3000) return;
            last = code; lastAt = now;
            input.value = code; form.requestSubmit();
          }).catch(function () {});
        }, 300);
      }).catch(function () { cameraButton.hidden = true; });
    });
  }

  window.addEventListener("online", sync);
  setInterval(sync, 15000);
  showQueue(); sync();
  input.focus();
})();
