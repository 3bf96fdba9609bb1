// The kanban board: drag a card onto another column to move the opportunity there. The card's own form does the
// work (htmx posts it and swaps the board), so without JavaScript the stage select and "Move" button do the same.
(function () {
  "use strict";
  var dragged = null;
  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".board-card");
    if (!card) { return; }
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.opportunity);
  });
  document.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("dragging"); }
    document.querySelectorAll(".board-column.drop-target").forEach(function (c) { c.classList.remove("drop-target"); });
  });
  document.addEventListener("dragover", function (event) {
    var column = event.target.closest && event.target.closest(".board-column");
    if (!column || !dragged) { return; }
    event.preventDefault();
    column.classList.add("drop-target");
  });
  document.addEventListener("dragleave", function (event) {
    var column = event.target.closest && event.target.closest(".board-column");
    if (column && !column.contains(event.relatedTarget)) { column.classList.remove("drop-target"); }
  });
  document.addEventListener("drop", function (event) {
    var column = event.target.closest && event.target.closest(".board-column");
    if (!column || !dragged) { return; }
    event.preventDefault();
    column.classList.remove("drop-target");
    var form = dragged.querySelector("form.board-move");
    var select = form.querySelector("select[name=stage]");
    if (select.value === column.dataset.stage) { return; }
    if (column.dataset.kind === "lost") {
      var board = document.getElementById("board");
      var reason = window.prompt(board.dataset.lostPrompt || "Why was it lost?");
      if (!reason) { return; }
      form.querySelector("input[name=loss_reason]").value = reason;
    }
    select.value = column.dataset.stage;
    column.appendChild(dragged);
    form.requestSubmit();
  });
})();
