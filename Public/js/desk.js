// The guard desk by keyboard: ↑/↓ (or j/k) move between calls, Enter takes the focused call's next step
// (acknowledge, dispatch, on site), r goes to its outcome to resolve it. The first call has the focus
// when the page opens, so a guard can answer without the mouse.
(function () {
  function calls() { return Array.prototype.slice.call(document.querySelectorAll("li.call")); }
  function focusAt(i) { var list = calls(); if (list.length) list[Math.max(0, Math.min(i, list.length - 1))].focus(); }
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var target = e.target;
    var inField = target.closest && target.closest("input, select, textarea");
    var list = calls();
    var current = target.closest ? target.closest("li.call") : null;
    var index = current ? list.indexOf(current) : -1;
    if (!inField && (e.key === "ArrowDown" || e.key === "j")) { e.preventDefault(); focusAt(index + 1); }
    else if (!inField && (e.key === "ArrowUp" || e.key === "k")) { e.preventDefault(); focusAt(index - 1); }
    else if (!inField && e.key === "Enter" && current && target === current) {
      var next = current.querySelector("button.next");
      if (next) { e.preventDefault(); next.click(); }
    } else if (!inField && e.key === "r" && current) {
      var outcome = current.querySelector("form.resolve select");
      if (outcome) { e.preventDefault(); outcome.focus(); }
    }
  });
  if (!document.querySelector("main :focus")) focusAt(0);
})();
