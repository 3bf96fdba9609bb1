// Agent keyboard shortcuts on the ticket queue: j/k move, o (or Enter) opens, x selects, a assigns to me,
// e opens the ticket at its escalation form. Ignored while typing in a field.
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll("#ticket-queue .ticket-row"));
  if (!rows.length) { return; }
  var current = -1;
  function select(index) {
    if (index < 0 || index >= rows.length) { return; }
    if (current >= 0) { rows[current].classList.remove("is-current"); rows[current].removeAttribute("aria-current"); }
    current = index;
    rows[current].classList.add("is-current");
    rows[current].setAttribute("aria-current", "true");
    rows[current].focus();
  }
  function typing(target) {
    var tag = (target && target.tagName || "").toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || (target && target.isContentEditable);
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var row = current >= 0 ? rows[current] : null;
    switch (event.key) {
      case "j": select(current + 1); break;
      case "k": select(current < 0 ? 0 : current - 1); break;
      case "o": case "Enter": if (row) { window.location.href = row.dataset.url; } break;
      case "x": if (row) { var box = row.querySelector("input[type=checkbox]"); box.checked = !box.checked; } break;
      case "a":
        if (row) {
          var form = document.getElementById("ticket-key-assign");
          form.action = row.dataset.url + "assign/";
          form.submit();
        }
        break;
      case "e": if (row) { window.location.href = row.dataset.url + "#ticket-escalate-form"; } break;
      default: return;
    }
    event.preventDefault();
  });
})();
