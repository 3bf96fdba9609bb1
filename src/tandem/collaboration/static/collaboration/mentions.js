// @mention autocomplete for comment boxes: a textarea with data-mention-url offers colleagues who may see the
// record when the user types "@" and inserts the token @[Full Name](user-id). Works on boxes htmx swaps in later.
(function () {
  "use strict";
  if (window.tandemMentions) { return; }
  window.tandemMentions = true;
  var menu = null, box = null, start = -1, items = [], active = 0, timer = null, serial = 0;

  function close() {
    if (menu) { menu.remove(); }
    menu = null; box = null; items = []; start = -1;
  }

  function query(textarea) {
    var before = textarea.value.slice(0, textarea.selectionStart);
    var match = /(^|\s)@([^\s@\[\]()]{0,40})$/.exec(before);
    if (!match) { return null; }
    return { start: before.length - match[2].length - 1, text: match[2] };
  }

  function choose(index) {
    var user = items[index];
    if (!box || !user) { return; }
    var token = "@[" + user.name.replace(/[\[\]]/g, "") + "](" + user.id + ") ";
    var caret = box.selectionStart;
    box.value = box.value.slice(0, start) + token + box.value.slice(caret);
    var position = start + token.length;
    box.focus();
    box.setSelectionRange(position, position);
    close();
  }

  function render(textarea, found) {
    if (menu) { menu.remove(); }
    items = found; active = 0;
    if (!found.length) { menu = null; return; }
    menu = document.createElement("ul");
    menu.className = "mention-menu";
    menu.setAttribute("role", "listbox");
    menu.id = textarea.id + "-mentions";
    found.forEach(function (user, index) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", index === 0 ? "true" : "false");
      li.dataset.index = String(index);
      li.textContent = user.name;
      var email = document.createElement("span");
      email.className = "mention-email";
      email.textContent = user.email;
      li.appendChild(email);
      li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(index); });
      menu.appendChild(li);
    });
    textarea.insertAdjacentElement("afterend", menu);
    textarea.setAttribute("aria-controls", menu.id);
  }

  function highlight(index) {
    if (!menu) { return; }
    active = (index + items.length) % items.length;
    Array.prototype.forEach.call(menu.children, function (li, i) {
      li.setAttribute("aria-selected", i === active ? "true" : "false");
    });
  }

  document.addEventListener("input", function (event) {
    var textarea = event.target;
    if (!textarea || textarea.tagName !== "TEXTAREA" || !textarea.dataset.mentionUrl) { return; }
    var found = query(textarea);
    if (!found) { close(); return; }
    box = textarea; start = found.start;
    clearTimeout(timer);
    timer = setTimeout(function () {
      var mine = ++serial;
      var params = new URLSearchParams({ q: found.text, object_type: textarea.dataset.objectType || "",
                                         object_id: textarea.dataset.objectId || "" });
      fetch(textarea.dataset.mentionUrl + "?" + params.toString(), { credentials: "same-origin",
                                                                     headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { items: [] }; })
        .then(function (body) { if (mine === serial && box === textarea) { render(textarea, body.items || []); } })
        .catch(function () { close(); });
    }, 120);
  });

  document.addEventListener("keydown", function (event) {
    if (!menu || event.target !== box) { return; }
    if (event.key === "ArrowDown") { event.preventDefault(); highlight(active + 1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active - 1); }
    else if (event.key === "Enter" || event.key === "Tab") { event.preventDefault(); choose(active); }
    else if (event.key === "Escape") { event.preventDefault(); close(); }
  });

  document.addEventListener("focusout", function (event) {
    if (event.target === box) { setTimeout(close, 150); }
  });
})();
