/* Autocomplete for search boxes: a list of titles, authors and keywords under the input.
   Progressive enhancement: without this script the search box is a plain form. */
(function () {
  "use strict";
  var script = document.currentScript;
  var endpoint = (script && script.getAttribute("data-autocomplete-url")) || "/api/autocomplete/";
  var inputs = document.querySelectorAll('input[type="search"][name="q"]');
  var counter = 0;

  function attach(input) {
    var listId = "autocomplete-" + (++counter);
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "autocomplete";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.parentNode.insertBefore(list, input.nextSibling);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", listId);
    input.setAttribute("aria-expanded", "false");
    var timer = null;
    var active = -1;
    var lastQuery = "";
    var controller = null;

    function close() {
      list.hidden = true;
      list.textContent = "";
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function render(items) {
      list.textContent = "";
      active = -1;
      if (!items.length) { close(); return; }
      items.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = listId + "-" + i;
        li.setAttribute("role", "option");
        li.className = "autocomplete__item autocomplete__item--" + item.type;
        /* The option itself carries the text (no link inside: an option must not nest
           interactive content); choosing it, by click or Enter, goes to its page. */
        li.setAttribute("data-url", item.url);
        var label = document.createElement("span");
        label.className = "autocomplete__label";
        label.textContent = item.label;  /* text, never HTML */
        var kind = document.createElement("span");
        kind.className = "autocomplete__type";
        kind.textContent = item.type;
        li.appendChild(label);
        li.appendChild(kind);
        li.addEventListener("mousedown", function (event) {
          event.preventDefault();  /* keep focus in the input until we navigate */
          window.location.href = item.url;
        });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function highlight(index) {
      var items = list.querySelectorAll("li");
      if (!items.length) { return; }
      active = (index + items.length) % items.length;
      items.forEach(function (li, i) { li.setAttribute("aria-selected", i === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", items[active].id);
    }

    function fetchSuggestions() {
      var q = input.value.trim();
      if (q === lastQuery) { return; }
      lastQuery = q;
      if (q.length < 2) { close(); return; }
      if (controller) { controller.abort(); }
      controller = window.AbortController ? new AbortController() : null;
      fetch(endpoint + (endpoint.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(q), {
        headers: { "Accept": "application/json" },
        signal: controller ? controller.signal : undefined
      })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { if (input.value.trim() === q) { render(data.results || []); } })
        .catch(function () { /* offline or aborted: the form still works */ });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(fetchSuggestions, 150);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) { return; }
      if (event.key === "ArrowDown") { event.preventDefault(); highlight(active + 1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active - 1); }
      else if (event.key === "Escape") { close(); }
      else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        window.location.href = list.querySelectorAll("li")[active].getAttribute("data-url");
      }
    });
    input.addEventListener("blur", function () { window.setTimeout(close, 200); });
  }

  Array.prototype.forEach.call(inputs, attach);
})();
