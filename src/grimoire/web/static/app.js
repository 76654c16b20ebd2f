// Grimoire: enhancements only. Every page reads without this file.
// Text from the notes is only ever set with textContent, never as HTML, except the fragments
// the server renders (escaped by its templates): a streamed answer, the type-ahead lines and a
// hover preview's text.
"use strict";
(function () {
  const $ = (sel, root = document) => root.querySelector(sel);

  // "/" focuses search, unless typing somewhere already.
  document.addEventListener("keydown", (ev) => {
    const t = ev.target;
    const typing = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
    if (ev.key === "/" && !typing && !ev.ctrlKey && !ev.metaKey && !ev.altKey) {
      const box = $("#q");
      if (box) { ev.preventDefault(); box.focus(); box.select(); }
    }
  });

  const conceptHref = (name) => "/c/" + encodeURIComponent(name);

  // A display formula wider than its box (an aligned matrix, a part no cut could wrap) scrolled
  // in it, its end cut at the card's edge, and a phone draws no scrollbar: the cut looked like
  // the formula's end (faces55, review55d). It is drawn smaller to fit, down to FLOOR of its
  // size; one still wider scrolls as before, its hidden side faded (`.more-right`,
  // `.more-left`) so the cut shows as a cut. Only such a formula gets the fade: drawn on every
  // formula, a hairline of it showed at the edge of those that fit (faces55).
  const FLOOR = 0.75;
  const edges = (m) => {
    const hidden = m.scrollWidth - m.clientWidth;
    m.classList.toggle("more-left", hidden > 1 && m.scrollLeft > 1);
    m.classList.toggle("more-right", hidden > 1 && m.scrollLeft < hidden - 1);
  };
  // All sizes are read, then all set: one layout a pass for the page, not one per formula. A
  // formula does not always narrow in step with its size (a part's box in a wrapping row, text
  // in it): a second and third pass shrink what still does not fit (the glossary vault's
  // Accuracy was still 22 px wider after one).
  const fitFormulas = (root = document) => {
    const all = [...root.querySelectorAll("math[display=block]")]
      .filter((m) => !m.closest(".vh, #typeahead"));  // read, not seen; a line of offers
    const scales = new Map();
    for (const m of all) {
      m.style.fontSize = ""; m.classList.remove("shrunk");
      if (!m.dataset.edges) { m.dataset.edges = "1"; m.addEventListener("scroll", () => edges(m), { passive: true }); }
    }
    for (let pass = 0; pass < 3; pass++) {
      const wider = all.filter((m) => (scales.get(m) || 1) > FLOOR)
        .map((m) => [m, m.scrollWidth, m.clientWidth])
        .filter(([, wide, room]) => wide > room + 1 && room > 0);
      if (!wider.length) break;
      for (const [m, wide, room] of wider) {
        const scale = Math.max(FLOOR, Math.floor((scales.get(m) || 1) * (room / wide) * 98) / 100);
        scales.set(m, scale);
        m.style.fontSize = (1.08 * scale).toFixed(3) + "em";  // app.css's size for math, times scale
        m.classList.add("shrunk");
      }
    }
    // the parts of one formula at one size (Accuracy's "=" part was drawn smaller than the
    // name above it)
    for (const row of new Set([...scales.keys()].map((m) => m.closest(".math-row")).filter(Boolean))) {
      const parts = all.filter((m) => row.contains(m));
      const least = Math.min(...parts.map((m) => scales.get(m) || 1));
      for (const m of parts) { m.style.fontSize = (1.08 * least).toFixed(3) + "em"; m.classList.add("shrunk"); }
    }
    all.forEach(edges);
  };
  fitFormulas();
  if (document.fonts) document.fonts.ready.then(() => fitFormulas());
  let fitTimer = 0;
  window.addEventListener("resize", () => { clearTimeout(fitTimer); fitTimer = setTimeout(fitFormulas, 100); });
  // a formula in a section opened (`details.more`): measured again as it is shown
  document.addEventListener("toggle", (ev) => { if (ev.target.open) fitFormulas(ev.target); }, true);

  // Search as you type.
  const box = $("input[data-typeahead]");
  const list = $("#typeahead");
  if (box && list) {
    let timer = 0, seq = 0, active = -1, offered = "";
    // Offers on their way: a key's timer still waiting (120 ms), or its request under way. It
    // went false when a request returned though a newer key's timer still waited (type55), so
    // the older offers showed as the final ones. A screen reader hears it as aria-busy.
    let pending = false;
    const busy = (b) => { pending = b; list.setAttribute("aria-busy", String(b)); };
    // The offer picked with the arrows is the one Enter opens, and a screen reader is told
    // which (aria-activedescendant); -1 picks none, and says so.
    const mark = (i) => {
      const items = list.querySelectorAll("a");
      items.forEach((a, j) => a.setAttribute("aria-selected", String(j === i)));
      active = i;
      // the pick in sight: the list scrolls (60vh), and the arrows picked offers below its
      // fold ("All results for …" last) with nothing to show which (review56d)
      if (i >= 0) { box.setAttribute("aria-activedescendant", items[i].id); items[i].scrollIntoView({ block: "nearest" }); }
      else box.removeAttribute("aria-activedescendant");
    };
    const close = () => { list.hidden = true; mark(-1); box.setAttribute("aria-expanded", "false"); };
    // Closed by Escape: offers still on their way are dropped, or they opened again (round 47).
    const dismiss = () => { clearTimeout(timer); timer = 0; seq++; busy(false); close(); };
    const open = () => { list.hidden = false; box.setAttribute("aria-expanded", "true"); };
    // The suggestions arrive as an HTML fragment the server renders (escaped by its
    // templates, formulas as MathML), as the search page shows its hits. The offers for the
    // whole words can arrive after the reader picked one of those for the first letters (a
    // slow server): the pick stays on the same link when the new offers hold it, else none
    // is picked and Enter searches. It was reset to none, so Enter searched though the
    // reader had picked an offer still shown (suite55).
    const show = (fragment, q) => {
      const picked = active >= 0 ? list.querySelectorAll("a")[active].getAttribute("href") : null;
      const doc = new DOMParser().parseFromString(fragment, "text/html");
      list.replaceChildren(...doc.body.children);
      offered = q;
      const items = [...list.querySelectorAll("a")];
      items.forEach((a, j) => { a.id = "typeahead-offer-" + j; });
      open();
      mark(picked === null ? -1 : items.findIndex((a) => a.getAttribute("href") === picked));
    };
    box.addEventListener("input", () => {
      clearTimeout(timer);
      const q = box.value.trim();
      // Too short to offer anything: offers still on their way are dropped (they opened the
      // list over a box emptied meanwhile).
      if (q.length < 2) { dismiss(); return; }
      busy(true);
      timer = setTimeout(async () => {
        timer = 0;
        const mine = ++seq;
        try {
          const r = await fetch("/typeahead?q=" + encodeURIComponent(q));
          if (!r.ok || mine !== seq) return;
          const fragment = await r.text();
          if (mine === seq) show(fragment, q);
        } catch (e) { /* offline: the form still submits */ }
        finally { if (mine === seq && !timer) busy(false); }
      }, 120);
    });
    box.addEventListener("keydown", (ev) => {
      // The offers close, or those on their way are dropped, and the words stay: a search
      // box's own Escape also emptied it, so Enter then searched for nothing (round 46). A
      // second Escape empties it.
      if (ev.key === "Escape" && (!list.hidden || pending)) { ev.preventDefault(); dismiss(); return; }
      const items = list.querySelectorAll("a");
      // Down arrow opens again the offers Escape closed, while they are for the words in the box.
      if (list.hidden && ev.key === "ArrowDown" && items.length && offered === box.value.trim()) {
        ev.preventDefault(); open(); mark(0); return;
      }
      if (list.hidden || !items.length) return;
      if (ev.key === "ArrowDown") { ev.preventDefault(); mark((active + 1) % items.length); }
      // Up from none is the last offer (it was the one before the last).
      else if (ev.key === "ArrowUp") { ev.preventDefault(); mark((active <= 0 ? items.length : active) - 1); }
      else if (ev.key === "Enter" && active >= 0) { ev.preventDefault(); items[active].click(); }
    });
    // Tab out of the box and past the offers closes them (they stayed open over the page).
    // Focus going nowhere is left to the click handler: Safari focuses no link it taps or
    // clicks, and closing here would move the offer away from under the click.
    box.parentElement.addEventListener("focusout", (ev) => {
      if (ev.relatedTarget && !box.parentElement.contains(ev.relatedTarget)) close();
    });
    document.addEventListener("click", (ev) => { if (!list.contains(ev.target) && ev.target !== box) close(); });
  }

  // Hover preview of internal links (Quartz-style popover).
  const pop = $("#popover");
  const cache = new Map();
  let hoverTimer = 0, current = null;
  // A concept link's preview address: its name as the link has it, and the id that picks
  // one of several concepts of that name (never split out of the name: "Beta?id=7" is one).
  const previewOf = (a) => {
    const u = new URL(a.href, location.href);
    if (u.origin !== location.origin || !u.pathname.startsWith("/c/")) return null;
    const id = u.searchParams.get("id");
    return "/api" + u.pathname + "?preview=true" + (id ? "&id=" + encodeURIComponent(id) : "");
  };
  const hide = () => { if (pop) pop.hidden = true; current = null; };
  const place = (a) => {
    const r = a.getBoundingClientRect();
    const left = Math.min(window.scrollX + r.left, window.scrollX + document.documentElement.clientWidth - pop.offsetWidth - 8);
    pop.style.left = Math.max(8, left) + "px";
    pop.style.top = (window.scrollY + r.bottom + 6) + "px";
  };
  // On a phone (under 600 px) no preview: it took the screen's width under the link, and a
  // search hit's (focused, or tapped) covered the next hit (faces53); the tap opens the page.
  // Nor where nothing can hover (a tablet, a phone turned to 844 x 390): a tap focused the
  // link and its preview covered the next hits before the page opened (review54d).
  const roomy = () => document.documentElement.clientWidth >= 600
    && window.matchMedia("(any-hover: hover)").matches;
  const preview = async (a) => {
    const url = previewOf(a);
    if (!url || !pop || !roomy()) return;
    current = a;
    let data = cache.get(url);
    if (!data) {
      const r = await fetch(url);
      const name = decodeURIComponent(new URL(url, location.href).pathname.slice(7));
      data = r.ok ? await r.json() : { label: name, text: "No note defines this yet.", kind: null, sources: 0 };
      cache.set(url, data);
    }
    if (current !== a) return;
    const title = document.createElement("strong");
    title.textContent = data.label;
    if (data.kind) { const k = document.createElement("span"); k.className = "kind"; k.textContent = data.kind; title.appendChild(k); }
    const p = document.createElement("p");
    // the server's rendering (escaped, its formulas as MathML), as the type-ahead's lines
    if (data.html) p.replaceChildren(...new DOMParser().parseFromString(data.html, "text/html").body.childNodes);
    else p.textContent = data.text || "";
    const foot = document.createElement("small");
    foot.className = "dim";
    foot.textContent = data.sources ? data.sources + (data.sources === 1 ? " source" : " sources") : "";
    pop.replaceChildren(title, p, foot);
    pop.hidden = false;
    // its formulas fitted as the page's are (a wide one ran past the popover's edge, cut)
    fitFormulas(pop);
    place(a);
  };
  document.addEventListener("mouseover", (ev) => {
    const a = ev.target.closest && ev.target.closest("a[href^='/c/']");
    if (!a || a.closest("#typeahead")) return;
    clearTimeout(hoverTimer);
    hoverTimer = setTimeout(() => preview(a), 250);
  });
  document.addEventListener("mouseout", (ev) => {
    const a = ev.target.closest && ev.target.closest("a[href^='/c/']");
    if (a) { clearTimeout(hoverTimer); hide(); }
  });
  document.addEventListener("focusin", (ev) => {
    const a = ev.target.closest && ev.target.closest("a[href^='/c/']");
    if (a) preview(a); else hide();
  });
  document.addEventListener("keydown", (ev) => { if (ev.key === "Escape") hide(); });

  // A search or a question sent as a page load: its button says so until the next page comes
  // (the first hybrid search or answer loads the embedding model: seconds in which the page
  // showed no change). A page shown again from the back-forward cache gets its buttons back.
  // (A streamed answer says so in its own box.)
  const busyForms = [...document.querySelectorAll("form.find, form.search-form, form.ask-form")]
    .filter((form) => !(form.matches("[data-stream]") && window.EventSource));
  for (const form of busyForms) {
    form.addEventListener("submit", (ev) => {
      if (ev.defaultPrevented || !form.querySelector("input[name=q]").value.trim()) return;
      const button = form.querySelector("button[type=submit]");
      form.setAttribute("aria-busy", "true");
      if (button) {
        button.dataset.label = button.textContent;
        button.textContent = form.classList.contains("ask-form") ? "Asking…" : "Searching…";
      }
    });
  }
  window.addEventListener("pageshow", () => {
    for (const form of busyForms) {
      form.removeAttribute("aria-busy");
      const button = form.querySelector("button[type=submit]");
      if (button && button.dataset.label) { button.textContent = button.dataset.label; delete button.dataset.label; }
    }
  });

  // Streamed answers when an LLM writes them (server-sent events).
  const askForm = $("form.ask-form[data-stream]");
  if (askForm && window.EventSource) {
    let asking = null;  // the stream of the question on its way
    askForm.addEventListener("submit", (ev) => {
      const q = askForm.querySelector("input[name=q]").value.trim();
      if (!q) return;
      ev.preventDefault();
      // A question asked again, or another, before the answer came: the first stream wrote
      // on into the same box, and its answer replaced the second's (round 53).
      if (asking) asking.close();
      const out = $("#answer");
      const live = document.createElement("p");
      live.className = "streaming";
      // Said until the model's first words: the passages are found first (seconds when the
      // embedding model loads), and the box stayed empty meanwhile.
      const waiting = document.createElement("span");
      waiting.className = "dim busy";
      waiting.textContent = "Finding the passages to answer from…";
      live.append(waiting);
      out.replaceChildren(live);
      history.replaceState(null, "", "/ask?q=" + encodeURIComponent(q));
      const es = asking = new EventSource("/api/ask/stream?q=" + encodeURIComponent(q));
      es.addEventListener("text", (e) => {
        if (waiting.isConnected) waiting.remove();
        live.textContent += JSON.parse(e.data);
      });
      es.addEventListener("answer", (e) => { out.innerHTML = JSON.parse(e.data).html; es.close(); fitFormulas(out); });
      // The server's error says what failed; a connection lost says nothing (the box kept
      // "Finding the passages…" and its spinner for good): the words so far stay, then why.
      es.addEventListener("error", (e) => {
        es.close();
        const why = document.createElement("span");
        why.className = "error";
        why.textContent = e.data ? JSON.parse(e.data).error
          : "The answer stopped: the connection to Grimoire was lost. Ask again.";
        if (waiting.isConnected) waiting.remove();
        live.append(live.textContent ? " " : "", why);
      });
    });
  }

  // The interactive graph: positions come from the server, the browser only draws.
  const holder = $("#graph[data-src]");
  if (holder && window.cytoscape) {
    fetch(holder.dataset.src).then((r) => r.ok ? r.json() : null).then((g) => {
      if (!g || !g.nodes.length) return;
      const dark = window.matchMedia("(prefers-color-scheme: dark)").matches;
      const css = getComputedStyle(document.documentElement);
      const fg = css.getPropertyValue("--fg").trim(), accent = css.getPropertyValue("--accent").trim();
      const red = css.getPropertyValue("--red").trim(), line = css.getPropertyValue("--line").trim();
      const bg = css.getPropertyValue("--card").trim() || (dark ? "#1e2026" : "#fff");
      const big = g.nodes.length > 300, narrow = holder.clientWidth < 600;
      // A node's size grows with its links, so the hubs of a large graph stand out; the
      // labels of the most linked stay readable when the whole graph is in view.
      const degree = new Map();
      for (const e of g.edges) {
        degree.set(e.source, (degree.get(e.source) || 0) + 1);
        degree.set(e.target, (degree.get(e.target) || 0) + 1);
      }
      const ranked = [...degree.values()].sort((a, b) => b - a);
      const hub = Math.max(3, ranked[Math.min(ranked.length, 12) - 1] || 0);
      const elements = [];
      for (const n of g.nodes) {
        const p = g.positions[n.id] || [0, 0];
        const deg = degree.get(n.id) || 0;
        const size = Math.max(Math.min(48, 12 + 5 * Math.sqrt(deg)), n.depth === 0 && !g.whole ? 24 : 0);
        elements.push({ group: "nodes", data: { id: "n" + n.id, cid: n.id, label: n.label, depth: n.depth, size, deg, hub: big && deg >= hub ? 1 : 0 }, position: { x: p[0], y: p[1] } });
      }
      for (const e of g.edges) {
        elements.push({ group: "edges", data: { id: "e" + e.source + "_" + e.target, source: "n" + e.source, target: "n" + e.target } });
      }
      // A large graph is drawn in two steps: first the concept asked for, its neighbours and
      // the most linked (FIRST of them, nearest first) with the links among them, which the
      // page opens on, then the rest once that is on screen. Drawn whole, all.db's 1,121
      // concepts and 2,199 links took 1.2-1.9 s to build and paint before anything showed
      // (round 52). By links alone, a neighbourhood of depth 2 left out the neighbours with
      // few links, behind others' (review52d).
      const FIRST = 250;
      const first = new Set(big ? [...elements].filter((el) => el.group === "nodes")
        .sort((a, b) => a.data.depth - b.data.depth || b.data.deg - a.data.deg)
        .slice(0, FIRST).map((el) => el.data.id) : []);
      const now = big ? elements.filter((el) => el.group === "nodes" ? first.has(el.data.id)
        : first.has(el.data.source) && first.has(el.data.target)) : elements;
      const drawnFirst = new Set(now);
      const later = big ? elements.filter((el) => !drawnFirst.has(el)) : [];
      holder.replaceChildren();
      const cy = window.cytoscape({
        container: holder, elements: now, layout: { name: "preset" },
        minZoom: 0.05, maxZoom: 4,
        textureOnViewport: big, hideEdgesOnViewport: big, pixelRatio: big ? 1 : "auto",
        style: [
          { selector: "node", style: { "background-color": accent, width: "data(size)", height: "data(size)", label: "data(label)",
            color: fg, "font-size": 12, "text-valign": "bottom", "text-margin-y": 4, "min-zoomed-font-size": big || narrow ? 9 : 0,
            // a label over the lines and dots under it stays readable
            "text-background-color": bg, "text-background-opacity": 0.8, "text-background-padding": 1, "text-background-shape": "roundrectangle" } },
          // A concept without a link sits in a grid cell of the whole graph (layout.LONE_CELL,
          // 200 wide), its label cut to the cell: a folder of paper titles drew 100 labels of
          // 60-110 characters over each other (round 35). The page it opens gives the whole name.
          ...(g.whole ? [{ selector: "node[deg = 0]", style: { "text-wrap": "ellipsis", "text-max-width": 185 } }] : []),
          { selector: "node[hub = 1]", style: { "font-weight": "bold", "min-zoomed-font-size": 0, "z-index": 10 } },
          { selector: "node[depth = 0]", style: { "background-color": g.whole ? accent : red } },
          { selector: "edge", style: { width: 1.2, "line-color": line, "curve-style": "haystack", opacity: dark ? 0.9 : 1 } },
          { selector: "node:selected", style: { "border-width": 3, "border-color": fg } },
        ],
      });
      // The view opens on the linked concepts (a large graph's on its core, those with three
      // links or more), never closer than a label's own size: concepts without a link lie in a
      // ring around them, and fitting the ring too drew every label a few pixels high (281
      // concepts, 61 links: 4 px).
      const core = cy.nodes("[deg >= 3]"), linked = cy.nodes("[deg >= 1]");
      const shown = big && core.length >= 10 ? core : linked.length >= 2 ? linked : cy.nodes();
      cy.fit(shown, 30);
      if (cy.zoom() > 1.25) {
        cy.zoom(1.25);
        cy.center(shown);
      }
      // Notes that link nothing (a folder of course notebooks: 314 concepts, no link) lie in
      // a grid, A-Z; fitted whole, it was a field of unlabelled dots (round 37). It opens on
      // its first rows instead, at a size whose labels are drawn; the rest is a pan away.
      if (linked.length < 2 && cy.zoom() < 0.9) {
        const box = cy.nodes().boundingBox();
        cy.zoom(0.9);
        cy.pan({ x: 30 - box.x1 * 0.9, y: 30 - box.y1 * 0.9 });
      }
      // The hubs' labels keep one size on screen, however far the graph is zoomed out, and in
      // a smaller graph every linked concept's label stays readable (9 px at least), those
      // that would cover another hidden: on a phone every label was left to the zoom, and
      // examples/' 39 concepts opened with 4-5 px labels, none readable (round 53).
      // Chosen again once the rest of a large graph is drawn: a hub that came with it (a
      // concept of 249 neighbours or more asked for at depth 2) kept a plain label, its size
      // not kept as the view zoomed out (review52d).
      let hubs = cy.collection(), named = cy.collection(), labelled = cy.collection();
      const choose = () => {
        hubs = cy.nodes("[hub = 1]");
        named = big ? cy.collection() : cy.nodes("[deg >= 1]").not(hubs);
      // A label is drawn only where it covers none drawn before it, the concept asked for and
      // then the most linked first: the hubs of a large graph lie close together in its core,
      // and their labels were written over each other, unreadable (round 36: 10 of 13 crossed
      // on a 541-concept glossary). Zooming in draws the others as they come apart.
        labelled = hubs.union(named).sort((a, b) =>
          (a.data("depth") === 0 ? -1 : 0) - (b.data("depth") === 0 ? -1 : 0) || b.data("deg") - a.data("deg"));
      };
      choose();
      // A label that would cover one drawn before it is tried above its concept, then to its
      // right and its left, before it is hidden: under the concept only, a neighbourhood of 16
      // concepts drew one without a name (round 40: its label met its neighbour's).
      // Where each place puts a label's box (w x h) round a concept at p of radius r (the
      // style `text-margin` of 4): measured here, as the canvas draws the text, since the
      // graph's own label bounds are only brought up to date by the next frame.
      const PLACES = [
        [{ "text-valign": "bottom", "text-halign": "center", "text-margin-x": 0, "text-margin-y": 4 },
          (p, r, w, h) => ({ x1: p.x - w / 2, x2: p.x + w / 2, y1: p.y + r + 4, y2: p.y + r + 4 + h })],
        [{ "text-valign": "top", "text-halign": "center", "text-margin-x": 0, "text-margin-y": -4 },
          (p, r, w, h) => ({ x1: p.x - w / 2, x2: p.x + w / 2, y1: p.y - r - 4 - h, y2: p.y - r - 4 })],
        [{ "text-valign": "center", "text-halign": "right", "text-margin-x": 4, "text-margin-y": 0 },
          (p, r, w, h) => ({ x1: p.x + r + 4, x2: p.x + r + 4 + w, y1: p.y - h / 2, y2: p.y + h / 2 })],
        [{ "text-valign": "center", "text-halign": "left", "text-margin-x": -4, "text-margin-y": 0 },
          (p, r, w, h) => ({ x1: p.x - r - 4 - w, x2: p.x - r - 4, y1: p.y - h / 2, y2: p.y + h / 2 })],
      ];
      const pen = document.createElement("canvas").getContext("2d");
      // On a phone a long name is wrapped at WRAP px (as the style's `text-max-width` wraps
      // it): "Reinforcement Learning from Human Feedback (RLHF)" on one line ran past the
      // card's edge (review53d); its lines measured as the canvas draws them.
      const WRAP = 120;
      const textSize = (n) => {
        const size = parseFloat(n.style("font-size"));
        pen.font = `${n.style("font-weight")} ${size}px ${n.style("font-family")}`;
        if (narrow && n.style("text-wrap") === "wrap") {
          const most = WRAP / cy.zoom(), lines = [];
          for (const word of n.data("label").split(" ")) {
            const last = lines.length ? lines[lines.length - 1] + " " + word : word;
            if (lines.length && pen.measureText(last).width <= most) lines[lines.length - 1] = last;
            else lines.push(word);
          }
          return [Math.max(...lines.map((l) => pen.measureText(l).width)) + 2, size * 1.25 * lines.length];
        }
        const w = pen.measureText(n.data("label")).width + 2;
        return [g.whole && !n.data("deg") ? Math.min(w, 185) : w, size * 1.25];
      };
      const keepLabels = () => {
        hubs.style("font-size", Math.max(12, 13 / cy.zoom()));
        named.style("font-size", Math.max(12, 9 / cy.zoom()));
        if (narrow) named.style({ "text-wrap": "wrap", "text-max-width": WRAP / cy.zoom() });
        const drawn = [];
        const meets = (b, d) => !(b.x2 <= d.x1 || d.x2 <= b.x1 || b.y2 <= d.y1 || d.y2 <= b.y1);
        // In a graph small enough to name every linked concept, a label covers no other
        // concept's dot either where it can help it (the hubs of a large one lie among dots).
        const dots = named.length ? cy.nodes().map((m) => {
          const p = m.position(), r = m.width() / 2;
          return [m, { x1: p.x - r, x2: p.x + r, y1: p.y - r, y2: p.y + r }];
        }) : [];
        const seen = cy.extent();
        const inside = (b) => b.x1 >= seen.x1 && b.x2 <= seen.x2 && b.y1 >= seen.y1 && b.y2 <= seen.y2;
        const apart = (b, n, nodes) => !drawn.some((d) => meets(b, d))
          && (!nodes || !dots.some(([m, d]) => m !== n && meets(b, d)));
        labelled.forEach((n) => {
          const [w, h] = textSize(n), p = n.position(), r = n.width() / 2;
          // each box with a margin round it: the drawn label's bounds (its background's
          // padding, the font's line height) run a little past the measured text
          const grow = (b) => ({ x1: b.x1 - h / 4, x2: b.x2 + h / 4, y1: b.y1 - h / 4, y2: b.y2 + h / 4 });
          const spots = PLACES.map(([style, place]) => [style, grow(place(p, r, w, h))]);
          // a place inside the view first: a label at the card's edge was cut (review53d)
          const spot = spots.find(([, box]) => apart(box, n, true) && inside(box))
            || spots.find(([, box]) => apart(box, n, true))
            || spots.find(([, box]) => apart(box, n, false) && inside(box))
            || spots.find(([, box]) => apart(box, n, false));
          n.style(spot ? spot[0] : PLACES[0][0]);
          if (spot) drawn.push(spot[1]);
          n.style("text-opacity", spot ? 1 : 0);
        });
        return drawn;
      };
      // A dot keeps MIN_DOT pixels on screen however far the view is zoomed out: a phone
      // fitted all.db's core at a zoom of about 0.1, and its dots were a pixel, lost in the
      // dark card (round 52). Sizes change in steps (each a quarter larger), not every frame.
      // A link keeps MIN_LINE pixels the same way, in the style of every link at once: at 390
      // wide the whole graph of all.db opened at a zoom of about 0.1, its links a tenth of a
      // pixel, not drawn at all (round 52's walk).
      const MIN_DOT = 5, MIN_LINE = 0.8;
      let floor = 0;
      const keepDots = (nodes = cy.nodes(), force = false) => {
        const step = Math.pow(1.25, Math.ceil(Math.log(MIN_DOT / cy.zoom()) / Math.log(1.25)));
        if (step === floor && !force) return;
        floor = step;
        cy.batch(() => nodes.forEach((n) => {
          const size = Math.max(n.data("size"), Math.min(48, floor));
          n.style({ width: size, height: size });
        }));
        cy.style().selector("edge").style("width", Math.max(1.2, floor * MIN_LINE / MIN_DOT)).update();
      };
      keepLabels();
      keepDots();
      // The view opens on every label it draws too: fitted to the dots, four of examples/'
      // labels ran past the card's edge on a phone, "-Rank Adaptation (LoRA)" (review53d). It
      // steps out until the drawn labels' boxes fit; a label keeps its size on screen, so it
      // takes the room it needs from the zoom, and a few steps settle.
      if (!big && linked.length >= 2) {
        for (let i = 0; i < 6; i++) {
          const box = keepLabels().reduce((u, d) => ({ x1: Math.min(u.x1, d.x1), x2: Math.max(u.x2, d.x2),
            y1: Math.min(u.y1, d.y1), y2: Math.max(u.y2, d.y2) }), shown.boundingBox({ includeLabels: false }));
          const seen = cy.extent();
          if (box.x1 >= seen.x1 && box.x2 <= seen.x2 && box.y1 >= seen.y1 && box.y2 <= seen.y2) break;
          const w = cy.width(), h = cy.height(), pad = 6;
          const z = Math.min(cy.zoom(), (w - 2 * pad) / (box.x2 - box.x1), (h - 2 * pad) / (box.y2 - box.y1));
          cy.zoom(z);
          cy.pan({ x: (w - z * (box.x1 + box.x2)) / 2, y: (h - z * (box.y1 + box.y2)) / 2 });
          keepDots();
        }
      }
      cy.on("zoom", () => { keepLabels(); keepDots(); });
      // The rest in one step once the first part is on screen (in parts of 800, each part
      // drew the whole canvas again: the graph was whole 1-2 s later).
      const rest = () => {
        keepDots(cy.add(later).nodes(), true);
        choose();
        keepLabels();
        holder.dataset.drawn = String(cy.nodes().length);
        holder.dataset.ready = "true";
      };
      holder.dataset.drawn = String(cy.nodes().length);
      if (later.length) cy.one("render", () => setTimeout(rest, 30));
      else holder.dataset.ready = "true";
      // By its id too: two concepts may share a label (the label alone opens the page asking which).
      cy.on("tap", "node", (evt) => {
        location.href = conceptHref(evt.target.data("label")) + "?id=" + encodeURIComponent(evt.target.data("cid"));
      });
      window.grimoireGraph = cy;
    });
  }
})();
