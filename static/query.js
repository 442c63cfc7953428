/* aenc query page: a plain editor, the named queries as examples, a results table, downloads.
   No framework and nothing fetched from outside this site: it works offline. */
(function () {
  "use strict";

  var app = document.getElementById("query-app");
  if (!app) { return; }

  var endpoint = app.dataset.endpoint;
  var queriesUrl = app.dataset.queries;
  var baseIri = app.dataset.baseIri || "";
  var basePath = (app.dataset.basePath || "").replace(/\/+$/, "");
  var defaultPrefixes = {};
  try { defaultPrefixes = JSON.parse(app.dataset.prefixes || "{}"); } catch (e) { defaultPrefixes = {}; }

  var form = document.getElementById("query-form");
  var editor = document.getElementById("query");
  var gutter = document.getElementById("gutter");
  var runButton = document.getElementById("run");
  var statusEl = document.getElementById("status");
  var errorEl = document.getElementById("error");
  var resultsSection = document.getElementById("results-section");
  var resultsEl = document.getElementById("results");
  var notesEl = document.getElementById("result-notes");
  var downloadsEl = document.getElementById("downloads");
  var examplesEl = document.getElementById("examples");
  var namedInfo = document.getElementById("named-info");
  var namedTitle = document.getElementById("named-title");
  var namedDescription = document.getElementById("named-description");
  var namedParams = document.getElementById("named-params");
  var namedEdited = document.getElementById("named-edited");

  /** Most rows drawn in the table; the downloads always hold every row the server sent. */
  var MAX_TABLE_ROWS = 2000;
  var SOLUTION_FORMATS = [
    ["JSON", "application/sparql-results+json", "json"],
    ["XML", "application/sparql-results+xml", "xml"],
    ["CSV", "text/csv", "csv"],
    ["TSV", "text/tab-separated-values", "tsv"]
  ];
  var GRAPH_FORMATS = [
    ["Turtle", "text/turtle", "ttl"],
    ["N-Triples", "application/n-triples", "nt"],
    ["JSON-LD", "application/ld+json", "jsonld"],
    ["RDF/XML", "application/rdf+xml", "rdf"]
  ];
  var STATUS_TITLES = {
    400: "Bad request", 403: "Refused", 404: "Not found", 405: "Method not allowed",
    406: "Not acceptable", 413: "Request too large", 415: "Unsupported media type",
    429: "Too many requests", 500: "Server error", 503: "Service unavailable"
  };

  var named = null;      // the selected named query, while its text is unedited
  var lastRequest = null; // what the last run sent, for the downloads
  var errorLine = 0;
  var escapePressed = false;

  // ---------------------------------------------------------------- editor

  function drawGutter() {
    var lines = editor.value.split("\n").length;
    var out = [];
    for (var i = 1; i <= lines; i++) {
      out.push(i === errorLine ? '<span class="error-line">' + i + "</span>" : String(i));
    }
    gutter.innerHTML = out.join("\n") + "\n";
    gutter.scrollTop = editor.scrollTop;
  }

  function setCaret(line, column) {
    var lines = editor.value.split("\n");
    var pos = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) { pos += lines[i].length + 1; }
    pos += Math.max(0, Math.min((column || 1) - 1, (lines[line - 1] || "").length));
    editor.focus();
    editor.setSelectionRange(pos, pos);
  }

  editor.addEventListener("input", function () {
    errorLine = 0;
    drawGutter();
    if (named && editor.value !== named.text) {
      namedEdited.hidden = false;
      namedParams.hidden = true;
    } else if (named) {
      namedEdited.hidden = true;
      namedParams.hidden = false;
    }
  });
  editor.addEventListener("scroll", function () { gutter.scrollTop = editor.scrollTop; });
  editor.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      event.preventDefault();
      run();
      return;
    }
    if (event.key === "Escape") { escapePressed = true; return; }
    if (event.key === "Tab" && !escapePressed && !event.shiftKey && !event.ctrlKey && !event.altKey) {
      event.preventDefault();
      var start = editor.selectionStart;
      var end = editor.selectionEnd;
      editor.value = editor.value.slice(0, start) + "  " + editor.value.slice(end);
      editor.setSelectionRange(start + 2, start + 2);
      editor.dispatchEvent(new Event("input"));
    }
    escapePressed = false;
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run();
  });

  // ---------------------------------------------------------------- requests

  function paramValues() {
    var values = new URLSearchParams();
    Array.prototype.forEach.call(namedParams.querySelectorAll("input"), function (input) {
      if (input.value.trim() !== "") { values.append(input.name, input.value.trim()); }
    });
    return values;
  }

  /** What to send: the named query with its parameters, or the editor's text to the endpoint. */
  function currentRequest() {
    if (named && editor.value === named.text) {
      var params = paramValues();
      var query = params.toString();
      return { method: "GET", url: named.url + (query ? "?" + query : ""), body: null, headers: {},
               label: "named query " + named.name };
    }
    return {
      method: "POST", url: endpoint, label: "query",
      headers: { "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8" },
      body: new URLSearchParams({ query: editor.value }).toString()
    };
  }

  function send(req, accept) {
    var headers = { Accept: accept };
    Object.keys(req.headers).forEach(function (k) { headers[k] = req.headers[k]; });
    return fetch(req.url, { method: req.method, headers: headers, body: req.body, credentials: "same-origin" });
  }

  function run() {
    if (runButton.disabled) { return; }
    clearError();
    var req = currentRequest();
    lastRequest = req;
    runButton.disabled = true;
    setStatus("Running " + req.label + "…", "");
    var started = performance.now();
    send(req, "application/sparql-results+json, text/turtle;q=0.9, application/json;q=0.1")
      .then(function (response) {
        var ms = Math.round(performance.now() - started);
        var type = (response.headers.get("Content-Type") || "").toLowerCase();
        if (!response.ok) {
          return response.text().then(function (text) { showHttpError(response, type, text); });
        }
        var notes = [];
        if (response.headers.get("X-AENC-Truncated")) {
          notes.push("Cut at " + (response.headers.get("X-AENC-Max-Rows") || "the row limit") +
                     " rows: the server's row cap was reached. Add LIMIT/OFFSET or narrow the query.");
        }
        var warning = response.headers.get("X-AENC-Warning");
        if (warning) { notes.push(decodeURIComponent(warning)); }
        if (type.indexOf("sparql-results+json") >= 0) {
          return response.json().then(function (data) {
            var kind = ("boolean" in data) ? "ask" : "select";
            var count = kind === "ask" ? 1 : data.results.bindings.length;
            showResults(kind, data, notes);
            setStatus(kind === "ask" ? "Answered in " + ms + " ms." :
                      count + " row" + (count === 1 ? "" : "s") + " in " + ms + " ms.", "ok");
          });
        }
        return response.text().then(function (text) {
          showResults("graph", text, notes);
          setStatus("Graph received in " + ms + " ms, shown as Turtle.", "ok");
        });
      })
      .catch(function (err) {
        showError("The server could not be reached", String(err) +
                  "\nIs the aenc server still running? Reload the page to try again.");
        setStatus("", "");
      })
      .then(function () { runButton.disabled = false; });
  }

  // ---------------------------------------------------------------- errors

  function clearError() {
    errorEl.hidden = true;
    errorEl.textContent = "";
    if (errorLine) { errorLine = 0; drawGutter(); }
  }

  function showError(title, message) {
    errorEl.textContent = "";
    var strong = document.createElement("strong");
    strong.textContent = title;
    errorEl.appendChild(strong);
    errorEl.appendChild(document.createTextNode(message));
    errorEl.hidden = false;
    resultsSection.hidden = true;
  }

  function showHttpError(response, type, text) {
    var message = text;
    if (type.indexOf("json") >= 0) {
      try {
        var body = JSON.parse(text);
        if (body && body.error) {
          message = body.error.message + (body.error.hint ? "\n\nHint: " + body.error.hint : "");
        }
      } catch (e) { message = text; }
    }
    var retry = response.headers.get("Retry-After");
    if (retry) { message += "\n\nTry again in " + retry + " s."; }
    var title = response.status + " " + (STATUS_TITLES[response.status] || response.statusText || "Error");
    showError(title, message.trim());
    setStatus("Failed: " + title + ".", "");
    var at = /line (\d+), column (\d+)/.exec(message);
    if (at && !(named && editor.value === named.text && response.status !== 400)) {
      errorLine = parseInt(at[1], 10);
      drawGutter();
      setCaret(errorLine, parseInt(at[2], 10));
    }
  }

  function setStatus(text, cls) {
    statusEl.textContent = text;
    statusEl.className = "status" + (cls ? " " + cls : "");
  }

  // ---------------------------------------------------------------- results

  function prefixes() {
    var map = {};
    Object.keys(defaultPrefixes).forEach(function (p) { map[p] = defaultPrefixes[p]; });
    var re = /PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>/gi;
    var m;
    while ((m = re.exec(editor.value)) !== null) { map[m[1] || ""] = m[2]; }
    return map;
  }

  function compact(iri, map) {
    var best = null;
    Object.keys(map).forEach(function (p) {
      var ns = map[p];
      if (ns && iri.indexOf(ns) === 0 && (best === null || ns.length > map[best].length)) { best = p; }
    });
    if (best === null) { return iri; }
    var local = iri.slice(map[best].length);
    return /^[\w][\w.\-\/]*$/.test(local) || local === "" ? best + ":" + local : iri;
  }

  function hrefFor(iri) {
    if (baseIri && iri.indexOf(baseIri) === 0) { return basePath + "/" + iri.slice(baseIri.length); }
    return iri;
  }

  function termCell(term, map) {
    var td = document.createElement("td");
    if (!term) { return td; }
    if (term.type === "uri") {
      var a = document.createElement("a");
      a.href = hrefFor(term.value);
      a.title = term.value;
      a.textContent = compact(term.value, map);
      td.appendChild(a);
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
    } else {
      td.appendChild(document.createTextNode(term.value));
      var extra = null;
      if (term["xml:lang"]) {
        extra = document.createElement("span");
        extra.className = "lang";
        extra.textContent = "@" + term["xml:lang"];
      } else if (term.datatype && term.datatype !== "http://www.w3.org/2001/XMLSchema#string") {
        extra = document.createElement("span");
        extra.className = "dt";
        extra.textContent = compact(term.datatype, map);
        extra.title = term.datatype;
      }
      if (extra) { td.appendChild(extra); }
      if (/^-?\d+(\.\d+)?(e-?\d+)?$/i.test(term.value)) { td.className = "num"; }
      else if (term.value.length <= 24 && !/\s/.test(term.value)) { td.className = "nowrap"; }
    }
    return td;
  }

  function showResults(kind, data, notes) {
    resultsEl.textContent = "";
    var map = prefixes();
    if (kind === "ask") {
      var p = document.createElement("p");
      p.className = "bool-result";
      p.textContent = data.boolean ? "true" : "false";
      resultsEl.appendChild(p);
    } else if (kind === "select") {
      var vars = data.head.vars || [];
      var rows = data.results.bindings;
      var wrap = document.createElement("div");
      wrap.className = "table-wrap";
      var table = document.createElement("table");
      var caption = document.createElement("caption");
      caption.textContent = rows.length + " row" + (rows.length === 1 ? "" : "s") +
        (rows.length > MAX_TABLE_ROWS ? " (the first " + MAX_TABLE_ROWS + " are shown; download for all)" : "");
      table.appendChild(caption);
      var thead = document.createElement("thead");
      var hr = document.createElement("tr");
      vars.forEach(function (v) {
        var th = document.createElement("th");
        th.scope = "col";
        th.textContent = "?" + v;
        hr.appendChild(th);
      });
      thead.appendChild(hr);
      table.appendChild(thead);
      var tbody = document.createElement("tbody");
      var frag = document.createDocumentFragment();
      rows.slice(0, MAX_TABLE_ROWS).forEach(function (row) {
        var tr = document.createElement("tr");
        vars.forEach(function (v) { tr.appendChild(termCell(row[v], map)); });
        frag.appendChild(tr);
      });
      if (rows.length === 0) {
        var tr = document.createElement("tr");
        var td = document.createElement("td");
        td.colSpan = Math.max(1, vars.length);
        td.className = "note";
        td.textContent = "No rows.";
        tr.appendChild(td);
        frag.appendChild(tr);
      }
      tbody.appendChild(frag);
      table.appendChild(tbody);
      wrap.appendChild(table);
      resultsEl.appendChild(wrap);
    } else {
      var pre = document.createElement("pre");
      pre.className = "graph-result";
      pre.textContent = data || "# (empty graph)";
      pre.setAttribute("aria-label", "Result graph in Turtle");
      resultsEl.appendChild(pre);
    }
    notesEl.textContent = notes.join(" ");
    notesEl.hidden = notes.length === 0;
    drawDownloads(kind);
    resultsSection.hidden = false;
  }

  function drawDownloads(kind) {
    downloadsEl.textContent = "";
    var label = document.createElement("span");
    label.textContent = "Download:";
    downloadsEl.appendChild(label);
    (kind === "graph" ? GRAPH_FORMATS : SOLUTION_FORMATS).forEach(function (f) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = f[0];
      b.dataset.mediaType = f[1];
      b.setAttribute("aria-label", "Download the results as " + f[0]);
      b.addEventListener("click", function () { download(f[1], f[2], b); });
      downloadsEl.appendChild(b);
    });
  }

  /** Ask the server again for the same request in one format and save the answer as a file. */
  function download(mediaType, ext, button) {
    if (!lastRequest) { return; }
    button.disabled = true;
    send(lastRequest, mediaType)
      .then(function (response) {
        if (!response.ok) {
          return response.text().then(function (text) {
            showHttpError(response, (response.headers.get("Content-Type") || "").toLowerCase(), text);
          });
        }
        return response.blob().then(function (blob) {
          var url = URL.createObjectURL(blob);
          var a = document.createElement("a");
          a.href = url;
          a.download = "aenc-results." + ext;
          document.body.appendChild(a);
          a.click();
          a.remove();
          setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
        });
      })
      .catch(function (err) { showError("The download failed", String(err)); })
      .then(function () { button.disabled = false; });
  }

  // ---------------------------------------------------------------- named queries

  function inputFor(param) {
    var id = "param-" + param.name;
    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = param.name + (param.required && param["default"] == null ? " *" : "");
    var input = document.createElement("input");
    input.id = id;
    input.name = param.name;
    input.type = param.type === "date" ? "date" : (param.type === "integer" || param.type === "year") ? "number" : "text";
    if (param.type === "decimal") { input.inputMode = "decimal"; }
    if (param["default"] != null) { input.value = param["default"]; }
    input.placeholder = param.expected || param.type;
    input.required = Boolean(param.required && param["default"] == null);
    input.setAttribute("aria-describedby", id + "-help");
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); run(); }
    });
    var help = document.createElement("span");
    help.id = id + "-help";
    help.className = "help";
    help.textContent = (param.description || "") + (param.expected ? " (" + param.expected + ")" : "");
    return [label, input, help];
  }

  function selectNamed(q, button) {
    named = q;
    editor.value = q.text;
    errorLine = 0;
    drawGutter();
    clearError();
    Array.prototype.forEach.call(examplesEl.querySelectorAll("button"), function (b) {
      b.setAttribute("aria-pressed", b === button ? "true" : "false");
    });
    namedTitle.textContent = q.title || q.name;
    namedDescription.textContent = q.description || "";
    namedParams.textContent = "";
    (q.parameters || []).forEach(function (p) {
      inputFor(p).forEach(function (el) { namedParams.appendChild(el); });
    });
    namedParams.hidden = false;
    namedEdited.hidden = true;
    namedInfo.hidden = false;
    editor.scrollTop = 0;
    editor.setSelectionRange(0, 0);
    if (window.history && history.replaceState) {
      history.replaceState(null, "", location.pathname + "?named=" + encodeURIComponent(q.name));
    }
  }

  function loadExamples() {
    fetch(queriesUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status + " " + response.statusText); }
        return response.json();
      })
      .then(function (data) {
        var list = Array.isArray(data) ? data : (data.queries || []);
        examplesEl.textContent = "";
        if (list.length === 0) {
          examplesEl.innerHTML = '<li class="note">No named queries.</li>';
        }
        list.forEach(function (q) {
          if (!q.url) { q.url = queriesUrl.replace(/\/+$/, "") + "/" + encodeURIComponent(q.name); }
          var li = document.createElement("li");
          var b = document.createElement("button");
          b.type = "button";
          b.textContent = q.title || q.name;
          b.title = q.description || q.name;
          b.dataset.name = q.name;
          b.setAttribute("aria-pressed", "false");
          b.addEventListener("click", function () { selectNamed(q, b); editor.focus(); });
          li.appendChild(b);
          examplesEl.appendChild(li);
        });
        var wanted = new URLSearchParams(location.search).get("named");
        if (wanted) {
          var match = list.filter(function (q) { return q.name === wanted; })[0];
          if (match) { selectNamed(match, examplesEl.querySelector('button[data-name="' + CSS.escape(wanted) + '"]')); }
        }
      })
      .catch(function (err) {
        examplesEl.innerHTML = "";
        var li = document.createElement("li");
        li.className = "note";
        li.textContent = "The named queries could not be loaded (" + err.message + ").";
        examplesEl.appendChild(li);
      });
  }

  // ---------------------------------------------------------------- start

  var given = new URLSearchParams(location.search).get("query");
  if (given) { editor.value = given; }
  drawGutter();
  loadExamples();
  app.dataset.ready = "true";
})();
