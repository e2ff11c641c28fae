// The TV channel's remote: arrows move the one focus spatially, Enter opens, Back (Backspace, Escape,
// the box's Back key) returns one screen with the focus where it came from, digits open the numbered
// tile or item, 0 reads the focused item aloud. Alerts are polled every 3 s; after 10 minutes without
// a key (`data-idle` on the body, in ms, says otherwise) a clock shows; when the server cannot be
// reached the screen stays with a plain message.
(function () {
  'use strict';
  var body = document.body;
  var main = document.querySelector('main[data-screen]');
  var pad = document.getElementById('tv-pad');
  var idle = document.getElementById('tv-idle');
  var note = document.getElementById('tv-note');
  var lastKey = Date.now();
  var reachable = true;
  var padForm = null;
  var padDigits = '';
  var padFrom = null;
  var BACK_KEYS = { Backspace: 1, Escape: 1, BrowserBack: 1, GoBack: 1 };
  var BACK_CODES = { 8: 1, 27: 1, 461: 1, 10009: 1 };

  function say(text) { note.textContent = text || ''; }

  function navigable() {
    var scope = !pad.hidden ? pad : document;
    var list = scope.querySelectorAll(!pad.hidden ? 'button' : '[data-nav]');
    return Array.prototype.filter.call(list, function (el) {
      var r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0;
    });
  }

  function focus(el) {
    if (!el) return;
    el.focus();
    if (el.scrollIntoView) el.scrollIntoView({ block: 'nearest' });
  }

  function firstFocus() {
    var wanted = main && main.getAttribute('data-focus');
    var el = wanted ? document.getElementById(wanted) : null;
    if (!el && main) el = main.querySelector('.tv-message[data-nav]') || main.querySelector('.tv-tile') || main.querySelector('.tv-item') || main.querySelector('[data-nav]');
    focus(el || navigable()[0]);
  }

  // The nearest element in the direction: the distance along it, plus twice the offset across it.
  function move(dx, dy) {
    var current = document.activeElement;
    var items = navigable();
    if (items.indexOf(current) < 0) { focus(items[0]); return; }
    var c = current.getBoundingClientRect();
    var cx = c.left + c.width / 2, cy = c.top + c.height / 2;
    var best = null, bestScore = Infinity;
    items.forEach(function (el) {
      if (el === current) return;
      var r = el.getBoundingClientRect();
      var x = r.left + r.width / 2, y = r.top + r.height / 2;
      var along = dx ? (x - cx) * dx : (y - cy) * dy;
      var edge = dx ? (dx > 0 ? r.left >= c.right - 2 : r.right <= c.left + 2) : (dy > 0 ? r.top >= c.bottom - 2 : r.bottom <= c.top + 2);
      if (along <= 0 || !edge) return;
      var across = dx ? Math.abs(y - cy) : Math.abs(x - cx);
      var score = along + 2 * across;
      if (score < bestScore) { bestScore = score; best = el; }
    });
    if (best) focus(best);
  }

  // Before leaving the screen: is the server there? If not, the screen stays and says so.
  function check(then) {
    var done = false;
    var timer = setTimeout(function () { if (!done) { done = true; offline(); } }, 3000);
    fetch(body.getAttribute('data-live'), { cache: 'no-store', credentials: 'same-origin' }).then(function (r) {
      if (done) return;
      done = true; clearTimeout(timer);
      if (r.ok) { online(); then(); } else offline();
    }, function () { if (!done) { done = true; clearTimeout(timer); offline(); } });
  }
  function offline() { reachable = false; say(body.getAttribute('data-offline')); }
  function online() { if (!reachable) say(''); reachable = true; }

  function activate(el) {
    if (!el) return;
    if (el.getAttribute('data-pin') === '1') { openPad(el); return; }
    if (el.tagName === 'A') { var href = el.getAttribute('href'); check(function () { location.href = href; }); return; }
    if (el.tagName === 'BUTTON' && el.form) { var form = el.form; check(function () { form.submit(); }); return; }
    if (el.tagName === 'BUTTON') { el.click(); return; }
    if (el.getAttribute('data-speak')) speak();
  }

  function back() {
    if (!pad.hidden) { closePad(); return; }
    var to = main && main.getAttribute('data-back');
    if (to) check(function () { location.href = to; });
  }

  function speak() {
    var el = document.activeElement;
    if (!el) return;
    var text = el.getAttribute('data-speak') || el.textContent.replace(/\s+/g, ' ').trim();
    if (!('speechSynthesis' in window)) { say(body.getAttribute('data-nospeech')); return; }
    window.speechSynthesis.cancel();
    var u = new SpeechSynthesisUtterance(text);
    u.lang = body.getAttribute('data-lang') === 'en' ? 'en-GB' : 'zh-CN';
    u.rate = 0.85;
    window.speechSynthesis.speak(u);
  }

  function openPad(button) {
    padForm = button.form; padFrom = button; padDigits = '';
    var title = document.querySelector('main h1'), lead = document.querySelector('main .tv-lead');
    document.getElementById('tv-pad-what').textContent = (title ? title.textContent : '') + (lead ? ' · ' + lead.textContent : '');
    showDigits(); pad.hidden = false;
    focus(pad.querySelector('[data-digit="1"]'));
  }
  function closePad() { pad.hidden = true; padDigits = ''; focus(padFrom); }
  function showDigits() { document.getElementById('tv-pad-shown').textContent = padDigits ? '●'.repeat(padDigits.length) : '\u00a0'; }
  function padKey(button) {
    var digit = button.getAttribute('data-digit');
    var what = button.getAttribute('data-pad');
    if (digit !== null) { if (padDigits.length < 6) padDigits += digit; showDigits(); return; }
    if (what === 'delete') { padDigits = padDigits.slice(0, -1); showDigits(); return; }
    if (what === 'cancel') { closePad(); return; }
    if (what === 'ok' && padDigits.length >= 4) {
      padForm.querySelector('input[name="pin"]').value = padDigits;
      var form = padForm;
      check(function () { form.submit(); });
    }
  }

  function digit(d) {
    if (!pad.hidden) { padKey(pad.querySelector('[data-digit="' + d + '"]')); return; }
    if (d === '0') { speak(); return; }
    var el = document.querySelector('[data-key="' + d + '"]');
    if (!el) return;
    focus(el);
    if (el.tagName === 'A') activate(el);
  }

  function key(e) {
    lastKey = Date.now();
    if (!idle.hidden) { idle.hidden = true; e.preventDefault(); return; }
    var k = e.key;
    if (k === 'ArrowLeft') move(-1, 0);
    else if (k === 'ArrowRight') move(1, 0);
    else if (k === 'ArrowUp') move(0, -1);
    else if (k === 'ArrowDown') move(0, 1);
    else if (k === 'Enter' || k === 'OK' || k === ' ') {
      var el = document.activeElement;
      if (!pad.hidden && el && el.tagName === 'BUTTON') padKey(el); else if (el && el.tagName !== 'INPUT') activate(el); else return;
    } else if (BACK_KEYS[k] || BACK_CODES[e.keyCode]) {
      if (document.activeElement && document.activeElement.tagName === 'INPUT') return;
      back();
    } else if (/^[0-9]$/.test(k)) {
      if (document.activeElement && document.activeElement.tagName === 'INPUT') return;
      digit(k);
    } else return;
    e.preventDefault();
  }

  function clock() {
    var now = new Date();
    var text = now.toLocaleTimeString(body.getAttribute('data-lang') === 'en' ? 'en-GB' : 'zh-CN', { hour: '2-digit', minute: '2-digit', timeZone: 'Asia/Shanghai' });
    var t = document.getElementById('tv-time');
    if (t) t.textContent = text;
    document.getElementById('tv-idle-time').textContent = text;
    var after = Number(body.getAttribute('data-idle')) || 10 * 60 * 1000;
    if (idle.hidden && pad.hidden && Date.now() - lastKey > after) idle.hidden = false;
  }

  function tag(a) { return body.getAttribute(a.emergency ? 'data-emergency' : 'data-reminder'); }
  var shown = JSON.stringify(Array.prototype.map.call(document.querySelectorAll('.tv-alert'), function (a) { return a.textContent; }));
  function poll() {
    fetch(body.getAttribute('data-live'), { cache: 'no-store', credentials: 'same-origin' }).then(function (r) {
      if (!r.ok) throw new Error(String(r.status));
      return r.json();
    }).then(function (live) {
      online();
      var screen = main && main.getAttribute('data-screen');
      if ((live.state === 'bound') !== (screen !== 'setup' && screen !== 'pair')) { location.href = '/tv'; return; }
      var alerts = live.alerts || [];
      var texts = JSON.stringify(alerts.map(function (a) { return tag(a) + a.text; }));
      if (texts === shown) return;
      shown = texts;
      var box = document.getElementById('tv-alerts');
      var had = box.contains(document.activeElement);
      box.textContent = '';
      var idleBox = document.getElementById('tv-idle-alerts');
      idleBox.textContent = '';
      alerts.forEach(function (a) {
        var link = document.createElement('a');
        link.className = 'tv-alert' + (a.emergency ? ' tv-emergency' : '');
        link.href = a.href; link.setAttribute('data-nav', '');
        var badge = document.createElement('span');
        badge.className = 'tv-tag'; badge.textContent = tag(a);
        link.appendChild(badge);
        link.appendChild(document.createTextNode(a.text));
        box.appendChild(link);
        var line = document.createElement('p'); line.textContent = tag(a) + ' ' + a.text; idleBox.appendChild(line);
      });
      if (had || !document.activeElement || document.activeElement === body) firstFocus();
    }).catch(offline);
  }

  Array.prototype.forEach.call(document.querySelectorAll('.tv-alert'), function (a) {
    var line = document.createElement('p'); line.textContent = a.textContent; document.getElementById('tv-idle-alerts').appendChild(line);
  });
  document.addEventListener('keydown', key);
  pad.addEventListener('click', function (e) { if (e.target.tagName === 'BUTTON') padKey(e.target); });
  // The focus never leaves the page's items (a click elsewhere puts it back).
  document.addEventListener('focusout', function () {
    setTimeout(function () { if (!document.activeElement || document.activeElement === body) firstFocus(); }, 0);
  });
  var reload = main && main.getAttribute('data-reload');
  if (reload) setTimeout(function () { location.reload(); }, Math.max(1, Number(reload) - 1) * 60000);
  firstFocus();
  clock();
  setInterval(clock, 1000);
  setInterval(poll, 3000);
})();
