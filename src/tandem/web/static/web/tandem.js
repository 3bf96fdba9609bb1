// Small keyboard helpers; everything works without this file.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT" || target.isContentEditable);
    var search = document.getElementById("global-search-input");
    if (event.key === "/" && !typing && search) {
      event.preventDefault();
      search.focus();
    }
    if (event.key === "Escape" && target === search) {
      document.getElementById("global-search-results").innerHTML = "";
    }
    if (event.key === "ArrowDown" && target === search) {
      var first = document.querySelector("#global-search-results a");
      if (first) { event.preventDefault(); first.focus(); }
    }
  });
})();
