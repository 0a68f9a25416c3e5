/* The event catalog's one script: filter the index as you type, move through it with the
   keyboard, switch an event's versions. No network, no dependency; pages work without it. */
(function () {
  "use strict";

  function visibleLinks(list) {
    var links = [];
    var items = Array.prototype.slice.call(list.children);
    for (var i = 0; i < items.length; i++) {
      if (!items[i].hidden) links.push(items[i].querySelector("a"));
    }
    return links;
  }

  function setupIndex() {
    var input = document.getElementById("q");
    var list = document.getElementById("events");
    var data = window.REFLEKT_INDEX;
    if (!input || !list || !data) return;
    var items = Array.prototype.slice.call(list.children);
    var rows = data.events.map(function (e) {
      return {
        plan: e[1],
        owners: e[2].length ? e[2] : ["(no owner)"],
        status: e[3],
        text: [e[0], e[1], e[2].join(" "), e[4], e[5]].join("\n").toLowerCase()
      };
    });
    var facets = {};
    var selects = document.querySelectorAll("select[data-facet]");
    var count = document.getElementById("count");
    var none = document.getElementById("none");
    var total = rows.length;

    function apply() {
      var terms = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      for (var i = 0; i < rows.length; i++) {
        var row = rows[i];
        var match = (!facets.plan || row.plan === facets.plan) &&
          (!facets.owner || row.owners.indexOf(facets.owner) >= 0) &&
          (!facets.status || row.status.indexOf(facets.status) >= 0);
        for (var t = 0; match && t < terms.length; t++) {
          if (row.text.indexOf(terms[t]) < 0) match = false;
        }
        if (items[i].hidden === match) items[i].hidden = !match;
        if (match) shown++;
      }
      count.textContent = shown + " of " + total + " events";
      none.hidden = shown !== 0;
    }

    input.addEventListener("input", apply);
    input.form.addEventListener("submit", function (event) { event.preventDefault(); });
    for (var s = 0; s < selects.length; s++) {
      selects[s].addEventListener("change", function (event) {
        facets[event.target.getAttribute("data-facet")] = event.target.value;
        apply();
      });
    }
    document.getElementById("clear").addEventListener("click", function () {
      input.value = "";
      facets = {};
      for (var i = 0; i < selects.length; i++) selects[i].value = "";
      apply();
      input.focus();
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        var links = visibleLinks(list);
        if (links.length) { links[0].focus(); event.preventDefault(); }
      } else if (event.key === "Escape") {
        input.value = "";
        apply();
      }
    });
    list.addEventListener("keydown", function (event) {
      if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
      var links = visibleLinks(list);
      var at = links.indexOf(document.activeElement);
      if (at < 0) return;
      event.preventDefault();
      if (event.key === "ArrowDown" && at + 1 < links.length) links[at + 1].focus();
      else if (event.key === "ArrowUp") (at === 0 ? input : links[at - 1]).focus();
    });
    document.addEventListener("keydown", function (event) {
      var tag = (event.target.tagName || "").toLowerCase();
      if (event.key === "/" && tag !== "input" && tag !== "select" && tag !== "textarea") {
        event.preventDefault();
        input.focus();
      }
    });
    var params = new URLSearchParams(window.location.search);
    if (params.get("q")) input.value = params.get("q");
    if (input.value) apply();
  }

  function setupVersions() {
    var select = document.getElementById("version-select");
    var sections = document.querySelectorAll("section.version");
    if (!select || sections.length < 2) return;
    select.parentNode.hidden = false;

    function show(version, focus) {
      var found = false;
      for (var i = 0; i < sections.length; i++) {
        var match = sections[i].getAttribute("data-version") === version;
        sections[i].hidden = !match;
        found = found || match;
      }
      if (!found) return show(sections[0].getAttribute("data-version"), focus);
      select.value = version;
      if (focus) sections[0].parentNode.querySelector("section.version:not([hidden]) h3").focus();
    }

    select.addEventListener("change", function () {
      show(select.value, false);
      if (window.history && window.history.replaceState) {
        window.history.replaceState(null, "", "#v" + select.value);
      }
    });
    function fromHash() {
      var hash = decodeURIComponent(window.location.hash.replace(/^#v/, ""));
      show(hash || sections[0].getAttribute("data-version"), false);
    }
    window.addEventListener("hashchange", fromHash);
    fromHash();
  }

  // JSON source: highlighted when first opened, from text nodes (no markup is parsed).
  var TOKEN = /("(?:[^"\\\n]|\\.)*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null)\b/g;

  function highlight(code) {
    var text = code.textContent;
    var out = document.createDocumentFragment();
    var last = 0;
    var match;
    function span(kind, value) {
      var node = document.createElement("span");
      node.className = kind;
      node.textContent = value;
      out.appendChild(node);
    }
    TOKEN.lastIndex = 0;
    while ((match = TOKEN.exec(text)) !== null) {
      if (match.index > last) out.appendChild(document.createTextNode(text.slice(last, match.index)));
      if (match[1] !== undefined) {
        span(match[2] ? "k" : "s", match[1]);
        if (match[2]) out.appendChild(document.createTextNode(match[2]));
      } else if (match[3] !== undefined) {
        span("n", match[3]);
      } else {
        span("l", match[4]);
      }
      last = TOKEN.lastIndex;
    }
    out.appendChild(document.createTextNode(text.slice(last)));
    code.textContent = "";
    code.appendChild(out);
    code.setAttribute("data-highlighted", "");
  }

  function setupSources() {
    var sources = document.querySelectorAll("details.source");
    for (var i = 0; i < sources.length; i++) {
      sources[i].addEventListener("toggle", function (event) {
        var code = event.target.querySelector("pre.json code");
        if (event.target.open && code && !code.hasAttribute("data-highlighted")) highlight(code);
      });
    }
  }

  setupIndex();
  setupVersions();
  setupSources();
})();
