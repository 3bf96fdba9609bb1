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

// Drag and drop onto any form marked data-dropzone: dropped files go into its file input and the form is sent.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-dropzone]").forEach(function (form) {
      var input = form.querySelector("input[type=file]");
      if (!input) { return; }
      ["dragenter", "dragover"].forEach(function (name) {
        form.addEventListener(name, function (event) { event.preventDefault(); form.classList.add("dragging"); });
      });
      ["dragleave", "drop"].forEach(function (name) {
        form.addEventListener(name, function () { form.classList.remove("dragging"); });
      });
      form.addEventListener("drop", function (event) {
        event.preventDefault();
        if (event.dataTransfer && event.dataTransfer.files.length) {
          input.files = event.dataTransfer.files;
          form.submit();
        }
      });
    });
  });
})();

// Column picker: the ticked boxes become the comma-separated "columns" parameter.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box || box.name !== "columns-pick") { return; }
    var form = box.form;
    var picked = Array.prototype.map.call(form.querySelectorAll("input[name=columns-pick]:checked"), function (b) { return b.value; });
    form.querySelector("[data-columns-field]").value = picked.join(",");
  });
  document.addEventListener("submit", function (event) {
    event.target.querySelectorAll && event.target.querySelectorAll("input[name=columns-pick]").forEach(function (b) { b.disabled = true; });
  });
})();
