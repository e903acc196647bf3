// Redline dashboard: keyboard navigation, downloads that show their size as
// they stream, and live updates (the home page's list, an article page's
// checks). Everything that
// comes from the daemon is set with textContent, never as markup.
"use strict";

(function () {
  // j/k move between items, o (or Enter on an item) opens it.
  function items() { return Array.from(document.querySelectorAll("[data-item]")); }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(t.tagName))) return;
    var list = items();
    if (!list.length) return;
    var i = list.indexOf(document.activeElement);
    if (e.key === "j" || e.key === "k") {
      i = e.key === "j" ? Math.min(i + 1, list.length - 1) : Math.max(i - 1, 0);
      list[i].tabIndex = -1;
      list[i].focus();
      list[i].scrollIntoView({ block: "nearest" });
      e.preventDefault();
    } else if ((e.key === "o" || e.key === "Enter") && i >= 0) {
      var a = list[i].querySelector("a[href]");
      if (a) { window.location.href = a.href; e.preventDefault(); }
    }
  });

  // Export and backup stream from the daemon: the page says how much has
  // arrived while it streams, then hands the file to the browser. A stream
  // the daemon cut short fails here and saves nothing.
  var progress = document.getElementById("download-progress");
  if (progress && window.fetch && window.Blob && window.URL) {
    Array.prototype.forEach.call(document.querySelectorAll("a[data-stream]"), function (a) {
      a.addEventListener("click", function (e) {
        e.preventDefault();
        if (a.getAttribute("aria-disabled") === "true") return;
        a.setAttribute("aria-disabled", "true");
        streamDownload(a.href, a.getAttribute("data-stream")).then(function () { a.removeAttribute("aria-disabled"); });
      });
    });
  }
  function size(n) {
    if (n < 1024) return n + " bytes";
    if (n < 1048576) return (n / 1024).toFixed(1) + " KiB";
    if (n < 1073741824) return (n / 1048576).toFixed(1) + " MiB";
    return (n / 1073741824).toFixed(2) + " GiB";
  }
  function streamDownload(href, what) {
    var got = 0, parts = [], name = "redline-download";
    progress.textContent = what + ": starting…";
    return fetch(href, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error("the daemon answered " + r.status);
      var m = /filename="([^"]+)"/.exec(r.headers.get("Content-Disposition") || "");
      if (m) name = m[1];
      var reader = r.body.getReader();
      function pump() {
        return reader.read().then(function (c) {
          if (c.done) return;
          parts.push(c.value);
          got += c.value.length;
          progress.textContent = what + ": " + size(got) + " so far…";
          return pump();
        });
      }
      return pump();
    }).then(function () {
      var url = URL.createObjectURL(new Blob(parts));
      var link = document.createElement("a");
      link.href = url;
      link.download = name;
      document.body.appendChild(link);
      link.click();
      link.remove();
      window.setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
      progress.textContent = what + ": " + size(got) + ", saved as " + name + ".";
    }).catch(function (err) {
      progress.textContent = what + " failed after " + size(got) + ": " + err.message + ". Nothing was saved.";
    });
  }

  // Copy as Markdown (an article page): to the clipboard when the
  // browser allows it; when it does not, the Markdown is shown selected,
  // for the user to copy.
  var copyMd = document.getElementById("copy-md");
  var md = document.getElementById("share-md");
  if (copyMd && md) {
    copyMd.hidden = false;
    copyMd.addEventListener("click", function () {
      var said = document.getElementById("copy-status");
      function selectIt() {
        var box = document.getElementById("md-box");
        if (box) box.open = true;
        md.focus();
        md.select();
        said.textContent = "The browser did not allow copying: the Markdown is selected below, press Ctrl+C (⌘C on a Mac) to copy it.";
      }
      if (!navigator.clipboard || !navigator.clipboard.writeText) { selectIt(); return; }
      navigator.clipboard.writeText(md.value).then(function () { said.textContent = "Copied as Markdown."; }, selectIt);
    });
  }

  var ticketMeta = document.querySelector('meta[name="redline-ticket"]');
  // The home page's live list, or an article page's account of its checks.
  var list = document.getElementById("unseen");
  var watch = document.getElementById("watch");
  if (!ticketMeta || !(list || watch) || !("WebSocket" in window)) return;
  var status = document.getElementById("live-status");
  var count = document.getElementById("unseen-count");
  var nothing = document.getElementById("nothing");
  var lastEvent = Number(document.querySelector('meta[name="redline-last-event"]').content) || 0;
  var ticket = ticketMeta.content;
  var csrf = list ? list.getAttribute("data-csrf") : "";
  var retry = 1000;
  var connected = 0;
  // The user's alert policy, as the daemon says it (welcome, then
  // settings.changed): only a change that alerts under it is listed.
  var alertOn = "substantive";

  function alerts(summary) {
    var sig = summary && summary.significance;
    return sig === "substantive" || (sig === "minor" && alertOn === "minor");
  }

  function say(text) { if (status) status.textContent = text; }

  function loggedOut() {
    if (!status) return;
    status.textContent = "Logged out: run ";
    status.appendChild(el("code", null, "redline open"));
    status.appendChild(document.createTextNode(" to log in again."));
  }

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text != null) n.textContent = text;
    return n;
  }

  function plural(n, w) { return n === 1 ? "1 " + w : n + " " + w + "s"; }

  // The same words the server uses for a summary.
  function words(s) {
    var out = [];
    if (!s) return out;
    if (s.title_changed) out.push("headline changed");
    if (s.correction) out.push("correction or editor's note added");
    if (s.byline_changed) out.push("byline changed");
    if (s.blocks_changed) out.push(plural(s.blocks_changed, "paragraph") + " edited");
    if (s.blocks_added) out.push(plural(s.blocks_added, "paragraph") + " added");
    if (s.blocks_removed) out.push(plural(s.blocks_removed, "paragraph") + " removed");
    if (s.blocks_moved) out.push(plural(s.blocks_moved, "paragraph") + " moved");
    if (s.words_added || s.words_removed) out.push(plural(s.words_added, "word") + " added, " + plural(s.words_removed, "word") + " removed");
    return out;
  }

  function updateCount() {
    var n = list.querySelectorAll("li.change").length;
    if (count) { count.textContent = String(n); count.hidden = n === 0; }
    if (nothing) nothing.hidden = n > 0;
    document.title = (n ? "(" + n + ") " : "") + "Changed since you read · Redline";
  }

  function host(u) { try { return new URL(u).hostname.replace(/^www\./, ""); } catch (e) { return ""; } }

  function put(id, li) {
    var old = list.querySelector('li[data-article="' + id + '"]');
    if (old) old.remove();
    if (li) list.insertBefore(li, list.firstChild);
    updateCount();
  }

  function sigClass(sig) { return "sig-" + String(sig).replace(/[^a-z]/g, ""); }

  function time(t) {
    var n = el("time", null, t.words);
    n.setAttribute("datetime", t.iso);
    n.title = t.title;
    return n;
  }

  function seenForm(id, version) {
    var f = el("form", "inline");
    f.method = "post";
    f.action = "/articles/" + id + "/seen";
    [["csrf", csrf], ["version", String(Number(version))], ["return", "/"]].forEach(function (kv) {
      var i = el("input");
      i.type = "hidden"; i.name = kv[0]; i.value = kv[1];
      f.appendChild(i);
    });
    var b = el("button", null, "Mark seen");
    b.type = "submit";
    f.appendChild(b);
    return f;
  }

  // card builds the same card as the server's template "change", from
  // GET /live/changes/{id}; a deletion and the insertion beside it are
  // kept apart by a space, as on the server.
  function card(c) {
    var id = Number(c.article_id);
    var li = el("li", "change fresh " + sigClass(c.significance || ""));
    li.setAttribute("data-item", "");
    li.setAttribute("data-article", String(id));
    var meta = el("div", "meta");
    if (c.significance) meta.appendChild(el("span", "badge " + sigClass(c.significance), c.significance));
    meta.appendChild(el("span", "site", c.site));
    var changed = el("span", null, "changed ");
    changed.appendChild(time(c.changed));
    meta.appendChild(changed);
    if (c.read_version) {
      var read = el("span", null, "you read version " + Number(c.read_version) + " ");
      read.appendChild(time(c.read));
      meta.appendChild(read);
    }
    li.appendChild(meta);
    var h = el("h3");
    var a = el("a", null, c.title);
    a.href = "/articles/" + id + "?from=" + Number(c.from) + "&to=" + Number(c.to);
    h.appendChild(a);
    li.appendChild(h);
    if (c.words && c.words.length) li.appendChild(el("p", "words", c.words.join(" · ")));
    if (c.preview) {
      var p = el("p", "preview");
      p.appendChild(el("span", "label", c.preview.label));
      p.appendChild(document.createTextNode(" "));
      var prev = "";
      (c.preview.spans || []).forEach(function (s) {
        if (s.op !== "equal" && prev !== "" && prev !== "equal" && prev !== s.op) p.appendChild(document.createTextNode(" "));
        if (s.op === "delete") p.appendChild(el("del", null, s.text));
        else if (s.op === "insert") p.appendChild(el("ins", null, s.text));
        else p.appendChild(document.createTextNode(s.text));
        prev = s.op;
      });
      li.appendChild(p);
    }
    if (c.unseen) li.appendChild(seenForm(id, c.versions));
    return li;
  }

  // removedCard is the card of an article found gone from its site.
  function removedCard(ev) {
    var id = Number(ev.article_id);
    var li = el("li", "change fresh sig-substantive");
    li.setAttribute("data-item", "");
    li.setAttribute("data-article", String(id));
    var meta = el("div", "meta");
    meta.appendChild(el("span", "badge sig-substantive", "removed"));
    meta.appendChild(el("span", "site", host(ev.url)));
    meta.appendChild(el("span", null, "found gone just now"));
    li.appendChild(meta);
    var h = el("h3");
    var a = el("a", null, ev.title || ev.url);
    a.href = "/articles/" + id;
    h.appendChild(a);
    li.appendChild(h);
    li.appendChild(el("p", "words", "removed from the site"));
    return li;
  }

  // eventCard is the card made from the event alone, when the server's
  // account of the change cannot be had.
  function eventCard(ev) {
    var id = Number(ev.article_id);
    var sig = (ev.summary && ev.summary.significance) || "minor";
    var li = el("li", "change fresh " + sigClass(sig));
    li.setAttribute("data-item", "");
    li.setAttribute("data-article", String(id));
    var meta = el("div", "meta");
    meta.appendChild(el("span", "badge " + sigClass(sig), sig));
    meta.appendChild(el("span", "site", host(ev.url)));
    meta.appendChild(el("span", null, "changed just now"));
    li.appendChild(meta);
    var h = el("h3");
    var a = el("a", null, ev.title || ev.url);
    a.href = "/articles/" + id + "?from=" + Number(ev.from_version) + "&to=" + Number(ev.to_version);
    h.appendChild(a);
    li.appendChild(h);
    var w = words(ev.summary);
    if (w.length) li.appendChild(el("p", "words", w.join(" · ")));
    li.appendChild(seenForm(id, ev.to_version));
    return li;
  }

  // Changes are put in the order their events came, whatever order the
  // cards' requests end in.
  var pending = Promise.resolve();

  function addChange(ev) {
    var id = Number(ev.article_id);
    var got = fetch("/live/changes/" + id, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) {
        if (r.status === 404) return null; // forgotten meanwhile
        if (!r.ok) throw new Error("change " + r.status);
        return r.json();
      })
      .then(function (c) { return function () { put(id, c && c.unseen ? card(c) : null); }; })
      .catch(function () { return function () { put(id, alerts(ev.summary) ? eventCard(ev) : null); }; });
    pending = pending.then(function () { return got; }).then(function (show) { show(); });
  }

  function addRemoved(ev) {
    pending = pending.then(function () { put(Number(ev.article_id), removedCard(ev)); });
  }

  function seen(ev) {
    var li = list.querySelector('li[data-article="' + Number(ev.article_id) + '"]');
    if (li) { li.remove(); updateCount(); }
  }

  // The article page: its checks as the server says them now
  // (GET /live/articles/{id}/watch), each time they moved.
  var watchID = watch ? Number(watch.getAttribute("data-article")) : 0;
  var watchDetail = document.getElementById("watch-detail");
  var watchAsked = Promise.resolve();

  function refreshWatch() {
    watchAsked = watchAsked.then(function () {
      return fetch("/live/articles/" + watchID + "/watch", { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) {
          if (!r.ok) throw new Error("watch " + r.status);
          return r.json();
        })
        .then(function (v) {
          watch.textContent = v.words;
          watch.className = "watch state-" + String(v.state).replace(/[^a-z_]/g, "");
          if (watchDetail) { watchDetail.textContent = v.detail; watchDetail.hidden = !v.detail; }
        })
        .catch(function () {});
    });
  }

  function connect() {
    var proto = window.location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(proto + window.location.host + "/live?ticket=" + encodeURIComponent(ticket));
    ws.onopen = function () {
      ws.send(JSON.stringify({ type: "hello", token: ticket, last_event_id: lastEvent }));
    };
    ws.onmessage = function (m) {
      var ev;
      try { ev = JSON.parse(m.data); } catch (e) { return; }
      if (ev.type === "welcome" || ev.type === "settings.changed") {
        if (ev.settings && (ev.settings.alert_on === "minor" || ev.settings.alert_on === "substantive")) alertOn = ev.settings.alert_on;
        if (ev.type === "welcome") {
          retry = 1000;
          if (list) say("Live: new changes appear here as Redline finds them.");
          // (Back after a break: what moved meanwhile.)
          else if (connected++) refreshWatch();
        }
        return;
      }
      if (typeof ev.event_id === "number" && ev.event_id > lastEvent) lastEvent = ev.event_id;
      if (watch) {
        if (Number(ev.article_id) === watchID && (ev.type === "article.watch" || ev.type === "article.changed" || ev.type === "article.removed")) refreshWatch();
        return;
      }
      if (ev.type === "article.changed") addChange(ev);
      else if (ev.type === "article.removed") addRemoved(ev);
      else if (ev.type === "article.seen") pending = pending.then(function () { seen(ev); });
    };
    ws.onclose = function () {
      say("Reconnecting…");
      window.setTimeout(refresh, retry);
      retry = Math.min(retry * 2, 30000);
    };
  }

  // A ticket works once: fetch a new one before reconnecting.
  function refresh() {
    fetch("/live/ticket", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) {
        if (r.status === 401) { loggedOut(); throw new Error("logged out"); }
        if (!r.ok) throw new Error("ticket " + r.status);
        return r.json();
      })
      .then(function (j) { ticket = j.ticket; connect(); })
      .catch(function () { if (retry < 30000) window.setTimeout(refresh, retry); retry = Math.min(retry * 2, 30000); });
  }

  connect();
})();
