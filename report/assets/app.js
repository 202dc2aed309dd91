// meshdoctor HTML report: draws analysis.Result (embedded as JSON) with
// cytoscape. It computes nothing about the mesh: it only groups and filters.
(function () {
  'use strict';
  var T = { start: performance.now() }; // where the load time goes (meshdoctor.timing)
  var raw = JSON.parse(document.getElementById('meshdoctor-data').textContent);
  T.parsed = performance.now();
  // The data is compact (report/html_data.go): strings and deciding objects
  // interned, one array per edge in the order of the edgeRow constants.
  var S = raw.str || [], REFS = raw.refs || [];
  var edges = (raw.edges || []).map(function (a) {
    return {
      client: { namespace: S[a[0]], workload: S[a[1]], kind: S[a[2]], proxy: S[a[3]] },
      server: { host: S[a[4]], namespace: S[a[5]], service: S[a[6]], port: a[7], targetPort: a[8], proxy: S[a[9]], workload: S[a[10]], workloadKind: S[a[11]], protocol: S[a[12]], subset: S[a[13]] },
      outcome: S[a[14]], mtls: !!(a[15] & 1), encrypted: !!(a[15] & 2), telemetry: !!(a[15] & 4),
      clientSends: S[a[16]], serverAccepts: S[a[17]], clientReason: S[a[18]], serverReason: S[a[19]], symptom: S[a[20]], cause: S[a[21]],
      category: S[a[22]], source: S[a[23]], alternatives: a[24] >= 0 ? S[a[24]] : '',
      decidedBy: a.slice(25).map(function (j) { var r = REFS[j]; return { kind: S[r[0]], namespace: S[r[1]], name: S[r[2]], file: S[r[3]], line: r[4] }; })
    };
  });
  T.hydrated = performance.now();
  var data = raw, findings = raw.findings || [], sum = raw.summary || {}, bounds = raw.bounds || {};
  var nsPairs = raw.nsPairs || [], nsNames = raw.namespaces || [];
  var MAX_DRAWN_PAIRS = 1000; // namespace pairs drawn at once (heaviest first)
  var DENSE_PAIRS = 300; // above this many pair edges, drawn plain
  var FIT_BOXES = 36; // above this many namespaces, the view opens on the first ones
  var COLOR = { fail: '#d62728', mtls: '#2ca02c', plaintext: '#1f77b4', unknown: '#e69500' };
  var RANK = { fail: 3, unknown: 2, plaintext: 1, mtls: 0 };
  var COLLAPSE_ABOVE = 150; // nodes: above this, namespaces start collapsed
  var LABEL = { fail: 'FAIL', mtls: 'OK · mTLS', plaintext: 'OK · plaintext', unknown: 'UNKNOWN' };

  function cls(e) { return e.outcome === 'fail' ? 'fail' : e.outcome === 'unknown' ? 'unknown' : e.mtls ? 'mtls' : 'plaintext'; }
  function short(h) { return String(h || '').replace(/\.svc\.cluster\.local$/, ''); }
  function el(tag, attrs) {
    var n = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { if (k === 'text') n.textContent = attrs[k]; else n.setAttribute(k, attrs[k]); });
    for (var i = 2; i < arguments.length; i++) { var c = arguments[i]; if (c != null) n.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); }
    return n;
  }

  // Model: workload and Service nodes, grouped by namespace.
  var nodes = {}, nsNodes = {};
  function addNode(id, ns, name, kind, proxy, svc) {
    if (!nodes[id]) { nodes[id] = { id: id, ns: ns, name: name, kind: kind, proxy: proxy, svc: svc, out: [], inc: [], backs: {} }; (nsNodes[ns] = nsNodes[ns] || []).push(id); }
    return nodes[id];
  }
  edges.forEach(function (e, i) {
    e._i = i; e._c = cls(e);
    var c = addNode('wl/' + e.client.namespace + '/' + e.client.kind + '/' + e.client.workload, e.client.namespace, e.client.workload, e.client.kind, e.client.proxy, false);
    var s = addNode('svc/' + e.server.namespace + '/' + e.server.service, e.server.namespace, e.server.service, 'Service', '', true);
    e._from = c.id; e._to = s.id; c.out.push(i); s.inc.push(i);
    if (e.server.workload) {
      var b = addNode('wl/' + e.server.namespace + '/' + e.server.workloadKind + '/' + e.server.workload, e.server.namespace, e.server.workload, e.server.workloadKind, e.server.proxy, false);
      s.backs[b.id] = true;
    }
    e._text = [e.client.namespace, e.client.workload, e.server.host, e.server.service, e.server.namespace, e.server.workload, String(e.server.port), e.category, e.symptom, e.outcome].join(' ').toLowerCase();
  });
  nsNames.forEach(function (ns) { nsNodes[ns] = nsNodes[ns] || []; });
  var namespaces = Object.keys(nsNodes).sort();
  // Namespaces with a failing (or unknown) edge or pair, over every edge.
  var failingNs = {}, unknownNs = {}, nsFails = {};
  nsPairs.forEach(function (p) {
    nsFails[nsNames[p[0]]] = (nsFails[nsNames[p[0]]] || 0) + p[2];
    if (p[1] !== p[0]) nsFails[nsNames[p[1]]] = (nsFails[nsNames[p[1]]] || 0) + p[2];
    if (p[2] + p[6] > 0) { failingNs[nsNames[p[0]]] = true; failingNs[nsNames[p[1]]] = true; }
    if (p[3] + p[7] > 0) { unknownNs[nsNames[p[0]]] = true; unknownNs[nsNames[p[1]]] = true; }
  });
  function pairClass(p) { return p[2] + p[6] > 0 ? 'fail' : p[3] + p[7] > 0 ? 'unknown' : p[5] > 0 ? 'plaintext' : 'mtls'; }
  function pairLabel(p) {
    var n = p[2] + p[3] + p[4] + p[5], parts = [];
    if (n) parts.push(n + (n === 1 ? ' edge' : ' edges') + (p[2] ? ', ' + p[2] + ' fail' : '') + (p[3] ? ', ' + p[3] + ' unknown' : ''));
    if (p[6]) parts.push(p[6].toLocaleString('en-US') + ' failing pairs');
    if (p[7]) parts.push(p[7].toLocaleString('en-US') + ' unknown pairs');
    return parts.join('; ');
  }
  var total = Object.keys(nodes).length;
  var state = { q: '', failing: false, ns: '', expanded: {}, okPairs: nsNames.length <= 50 };
  if (total <= COLLAPSE_ABOVE) namespaces.forEach(function (n) { state.expanded[n] = true; });

  var cy = cytoscape({
    container: document.getElementById('cy'), minZoom: 0.05, maxZoom: 4,
    hideEdgesOnViewport: edges.length > 3000 || nsPairs.length > 1000, textureOnViewport: edges.length > 3000 || nsPairs.length > 1000,
    style: [
      { selector: 'node', style: { 'label': 'data(label)', 'font-size': 11, 'text-valign': 'bottom', 'text-margin-y': 4, 'text-wrap': 'wrap', 'width': 26, 'height': 26, 'background-color': '#fff', 'border-width': 2, 'border-color': '#555', 'min-zoomed-font-size': 6 } },
      { selector: 'node.svc', style: { 'shape': 'round-rectangle', 'background-color': '#eef2f7', 'border-color': '#4a6a8a', 'width': 34, 'height': 20 } },
      { selector: 'node.noproxy', style: { 'border-style': 'dashed' } },
      { selector: ':parent', style: { 'label': 'data(label)', 'text-valign': 'top', 'text-halign': 'center', 'text-margin-y': -4, 'font-size': 13, 'font-weight': 'bold', 'color': '#555', 'background-color': '#f7f7fb', 'background-opacity': 1, 'border-color': '#b8b8cc', 'border-width': 1, 'border-style': 'dashed', 'shape': 'round-rectangle', 'padding': 24 } },
      { selector: 'node.ns', style: { 'shape': 'round-rectangle', 'width': 'data(w)', 'height': 34, 'text-valign': 'center', 'text-margin-y': 0, 'background-color': '#f0f0f8', 'border-color': '#8888aa', 'font-weight': 'bold', 'font-size': 16, 'min-zoomed-font-size': 0 } },
      { selector: 'node.ns.failing', style: { 'border-color': COLOR.fail, 'border-width': 3 } },
      { selector: 'node.ns.unknownns', style: { 'border-color': COLOR.unknown, 'border-width': 3 } },
      // A loop (a pair within one namespace) rises from the top of its box.
      // cytoscape places a loop's control points a fixed distance (1.4 ×
      // step size) from the node's centre and ends it where the line from
      // the last control point to the centre crosses the node's border: the
      // old -45deg loop put that point inside a 250 × 34 box, the end had no
      // crossing, and the loop was not drawn at all. Straight up (±30deg)
      // both points are 73 units above the centre, outside a collapsed box
      // (34 high); an expanded box gets cytoscape's compound loop instead.
      { selector: 'edge:loop', style: { 'loop-direction': '0deg', 'loop-sweep': '-60deg', 'control-point-step-size': 60 } },
      { selector: 'edge', style: { 'curve-style': 'bezier', 'width': 2, 'target-arrow-shape': 'triangle', 'arrow-scale': 0.9, 'label': 'data(label)', 'font-size': 10, 'text-background-color': '#fff', 'text-background-opacity': 0.85, 'text-background-padding': 1, 'text-margin-y': -9, 'min-zoomed-font-size': 7 } },
      { selector: 'edge.fail', style: { 'line-color': COLOR.fail, 'target-arrow-color': COLOR.fail, 'color': COLOR.fail, 'width': 3.5 } },
      { selector: 'edge.mtls', style: { 'line-color': COLOR.mtls, 'target-arrow-color': COLOR.mtls, 'color': '#1d6e1d' } },
      { selector: 'edge.plaintext', style: { 'line-color': COLOR.plaintext, 'target-arrow-color': COLOR.plaintext, 'color': COLOR.plaintext, 'line-style': 'dashed' } },
      { selector: 'edge.unknown', style: { 'line-color': COLOR.unknown, 'target-arrow-color': COLOR.unknown, 'color': '#a56a00', 'line-style': 'dotted', 'width': 3 } },
      { selector: 'edge.backs', style: { 'line-color': '#bbb', 'line-style': 'dotted', 'width': 1.5, 'target-arrow-shape': 'none', 'label': '', 'events': 'no' } },
      { selector: 'edge.agg', style: { 'width': 'data(w)' } },
      // The loop's label sits above it, in the gap between grid rows, large
      // enough to read at the opening zoom (about 0.5 on 1,000 namespaces).
      { selector: 'edge.agg:loop', style: { 'font-size': 20, 'text-margin-y': -6 } },
      { selector: 'edge.dense', style: { 'curve-style': 'straight', 'label': '', 'arrow-scale': 0.6 } },
      { selector: 'edge.dense:selected', style: { 'label': 'data(label)' } },
      // At most one loop per namespace: labelled even when dense.
      { selector: 'edge.dense:loop', style: { 'label': 'data(label)' } },
      { selector: 'edge:selected', style: { 'width': 6, 'z-index': 10 } },
      { selector: ':selected', style: { 'overlay-color': '#0a66c2', 'overlay-opacity': 0.18, 'overlay-padding': 5 } },
      { selector: '.hit', style: { 'border-color': '#0a66c2', 'border-width': 4 } }
    ]
  });
  var builds = 0;
  window.meshdoctor = { cy: cy, data: data, edges: edges, showEdge: showEdge, showNode: showNode, showPair: showPair, builds: function () { return builds; } };

  function visibleEdges() {
    var q = state.q.toLowerCase().trim();
    return edges.filter(function (e) {
      if (state.failing && e.outcome !== 'fail') return false;
      if (state.ns && e.client.namespace !== state.ns && e.server.namespace !== state.ns) return false;
      return !q || e._text.indexOf(q) >= 0;
    });
  }

  function rebuild() {
    var vis = visibleEdges(), filtered = state.q || state.failing || state.ns;
    // Without a text or namespace filter, the pairs of collapsed namespaces
    // are drawn from nsPairs, which count every edge (embedded or not).
    var byPairs = !state.q && !state.ns;
    var els = [], shown = {}, agg = {}, undrawn = 0, drawn = 0;
    function place(id) {
      var n = nodes[id];
      if (!state.expanded[n.ns]) { shown['ns:' + n.ns] = true; return 'ns:' + n.ns; }
      shown['ns:' + n.ns] = true; shown[id] = true; return id;
    }
    vis.forEach(function (e) {
      var f = place(e._from), t = place(e._to);
      if (f === e._from && t === e._to) {
        els.push({ group: 'edges', data: { id: 'e' + e._i, source: f, target: t, label: String(e.server.port), i: e._i }, classes: e._c });
        return;
      }
      if (byPairs && f !== e._from && t !== e._to) return;
      var k = f + '>' + t, a = agg[k] = agg[k] || { f: f, t: t, list: [], worst: 'mtls', fails: 0 };
      a.list.push(e._i); if (RANK[e._c] > RANK[a.worst]) a.worst = e._c; if (e._c === 'fail') a.fails++;
    });
    if (!filtered) namespaces.forEach(function (ns) { shown['ns:' + ns] = true; });
    if (byPairs) {
      nsPairs.forEach(function (p, j) {
        var a = nsNames[p[0]], b = nsNames[p[1]], c = pairClass(p), q = p;
        if (state.expanded[a] || state.expanded[b]) {
          // An expanded side draws its edges one by one; what all-pairs
          // adds (pairs, not edges) still hangs on the namespace's box.
          if (!p[6] && !p[7]) return;
          q = [p[0], p[1], 0, 0, 0, 0, p[6], p[7]]; c = pairClass(q);
        }
        if ((state.failing || !state.okPairs) && c !== 'fail' && c !== 'unknown') return;
        if (drawn === MAX_DRAWN_PAIRS) { undrawn++; return; }
        drawn++;
        shown['ns:' + a] = true; shown['ns:' + b] = true;
        els.push({ group: 'edges', data: { id: 'p' + j, source: 'ns:' + a, target: 'ns:' + b, label: pairLabel(q), pair: j, w: Math.min(6, 1.5 + Math.log10(1 + q[2] + q[3] + q[4] + q[5] + q[6] + q[7]) / 2) }, classes: c + ' agg nspair' });
      });
    }
    // Hundreds of pair edges: straight lines without labels draw in a
    // fraction of the time (the label shows on the selected edge).
    if (drawn > DENSE_PAIRS) els.forEach(function (x) { if (x.data.pair !== undefined) x.classes += ' dense'; });
    Object.keys(agg).sort().forEach(function (k, j) {
      var a = agg[k];
      var label = a.list.length + (a.list.length === 1 ? ' edge' : ' edges') + (a.fails ? ', ' + a.fails + ' fail' : '');
      els.push({ group: 'edges', data: { id: 'a' + j, source: a.f, target: a.t, label: label, list: a.list, w: Math.min(8, 2 + Math.log2(a.list.length)) }, classes: a.worst + ' agg' });
    });
    namespaces.forEach(function (ns) {
      if (!shown['ns:' + ns]) return;
      var open = state.expanded[ns];
      // A collapsed namespace says how many failing edges touch it (over
      // every edge, embedded or not).
      var nl = open ? 'namespace ' + ns : ns + (nsFails[ns] ? ' · ' + nsFails[ns] + ' failing' : '');
      els.push({ group: 'nodes', data: { id: 'ns:' + ns, ns: ns, label: nl, w: nl.length * 10 + 24 }, classes: (open ? 'nsbox' : 'ns') + (failingNs[ns] ? ' failing' : unknownNs[ns] ? ' unknownns' : '') });
      if (!open) return;
      nsNodes[ns].slice().sort().forEach(function (id) {
        if (!shown[id]) return;
        var n = nodes[id];
        els.push({ group: 'nodes', data: { id: id, parent: 'ns:' + ns, label: n.name + '\n' + (n.svc ? 'Service' : n.kind) }, classes: (n.svc ? 'svc' : 'wl') + (!n.svc && n.proxy === 'none' ? ' noproxy' : '') });
        Object.keys(n.backs).sort().forEach(function (b) { if (shown[b]) els.push({ group: 'edges', data: { id: 'b:' + id + '>' + b, source: id, target: b, label: '' }, classes: 'backs' }); });
      });
    });
    cy.batch(function () { cy.elements().remove(); cy.add(els); });
    layout();
    builds++; // meshdoctor.builds(): how many times the graph was rebuilt (tests wait on it)
    var dropped = droppedEdges();
    document.getElementById('notice').textContent = vis.length + ' of ' + edges.length + ' embedded edges shown' +
      (dropped ? ' · ' + dropped + ' more not embedded (-o json has them; the namespace graph counts them)' : '') +
      (undrawn ? ' · the ' + MAX_DRAWN_PAIRS + ' heaviest namespace pairs drawn, ' + undrawn + ' more not (click a namespace for its own)' : '') +
      (byPairs && !state.okPairs && !state.failing ? ' · working namespace pairs hidden (tick “working pairs”)' : '') +
      (state.zoomed ? ' · zoomed in (fit: all ' + namespaces.length + ' namespaces)' : '') +
      (state.partial ? ' · expand all opened the failing and unknown namespaces only (over ' + EXPAND_ALL_MAX + ' nodes)' : '') +
      (bounds.droppedNSPairs ? ' · ' + bounds.droppedNSPairs + ' namespace pairs not embedded (holding ' + bounds.droppedNSFailing + ' failing)' : '') +
      (namespaces.some(function (n) { return !state.expanded[n]; }) ? ' · collapsed namespaces: click to expand' : '');
  }
  function droppedEdges() {
    var d = bounds.droppedEdges || {}, n = 0;
    Object.keys(d).forEach(function (k) { n += d[k]; });
    return n;
  }

  // Deterministic layout, fast at thousands of nodes: namespaces left to
  // right by how much they call out versus are called; inside one, pure
  // clients on the left and each Service beside the workload behind it.
  function layout() {
    var score = {};
    cy.edges('.fail,.mtls,.plaintext,.unknown').forEach(function (e) {
      var f = e.source(), t = e.target(), fn = f.data('parent') || f.id(), tn = t.data('parent') || t.id();
      if (fn !== tn) { score[fn] = (score[fn] || 0) + 1; score[tn] = (score[tn] || 0) - 1; }
    });
    // Failing namespaces first, then unknown ones, so that at scale they are
    // the ones in view.
    function weight(n) { var ns = n.data('ns'); return failingNs[ns] ? 2 : unknownNs[ns] ? 1 : 0; }
    var boxes = cy.nodes('.ns,.nsbox').sort(function (a, b) { return weight(b) - weight(a) || (score[b.id()] || 0) - (score[a.id()] || 0) || (a.id() < b.id() ? -1 : 1); });
    // Many namespaces: the expanded ones in rows, the collapsed ones below in
    // a square grid filled shell by shell, so that the first k² (failing
    // first) always make the top-left k × k square.
    var many = boxes.length > FIT_BOXES;
    var rowBoxes = many ? boxes.filter(function (b) { return b.hasClass('nsbox'); }) : boxes;
    var grid = many ? boxes.filter(function (b) { return b.hasClass('ns'); }) : cy.collection();
    var x0 = 0, y0 = 0, rowH = 0, width = Math.max(1400, Math.sqrt(rowBoxes.union(rowBoxes.children()).length) * 300);
    rowBoxes.forEach(function (box) {
      var kids = box.children(), clients = [], pairs = [], placed = {};
      kids.forEach(function (k) {
        var n = nodes[k.id()];
        if (n.svc) pairs.push(k);
        else if (!kids.some(function (o) { return nodes[o.id()].svc && nodes[o.id()].backs[k.id()]; })) clients.push(k);
      });
      var rows = Math.max(4, Math.ceil(Math.sqrt(kids.length * 2))), pos = {};
      clients.forEach(function (k, j) { pos[k.id()] = { x: Math.floor(j / rows) * 170, y: (j % rows) * 90 }; });
      var px = clients.length ? (Math.ceil(clients.length / rows) * 170 + 90) : 0;
      pairs.forEach(function (k, j) {
        var x = px + Math.floor(j / rows) * 300, y = (j % rows) * 90 + (clients.length ? 45 : 0);
        pos[k.id()] = { x: x, y: y };
        Object.keys(nodes[k.id()].backs).sort().forEach(function (b) { if (!placed[b] && !cy.getElementById(b).empty()) { placed[b] = true; pos[b] = { x: x + 140, y: y }; } });
      });
      var w = 0, h = 0, extra = 0;
      kids.forEach(function (k) { if (!pos[k.id()]) pos[k.id()] = { x: px + Math.ceil(pairs.length / rows) * 300 + 170 * Math.floor(extra / rows), y: (extra++ % rows) * 90 }; });
      Object.keys(pos).forEach(function (id) { w = Math.max(w, pos[id].x); h = Math.max(h, pos[id].y); });
      w += 160;
      if (!kids.length) w = box.data('w') || 160;
      if (x0 > 0 && x0 + w > width) { x0 = 0; y0 += rowH + 140; rowH = 0; }
      if (!kids.length) box.position({ x: x0 + w / 2, y: y0 });
      kids.forEach(function (k) { k.position({ x: x0 + pos[k.id()].x, y: y0 + pos[k.id()].y }); });
      x0 += w + 160; rowH = Math.max(rowH, h + 40);
    });
    var top = rowBoxes.length ? y0 + rowH + 140 : 0, cellW = 0;
    grid.forEach(function (b) { cellW = Math.max(cellW, b.data('w') + 60); });
    // Rows 150 apart: a box's loop and its label fit above it, clear of
    // the box in the row above.
    grid.forEach(function (b, i) {
      var k = Math.floor(Math.sqrt(i)), r = i - k * k, col = r < k ? k : r - k, row = r < k ? r : k;
      b.position({ x: col * cellW + cellW / 2, y: top + row * 150 });
    });
    // Many namespaces: zoom to the expanded ones, or else to the first
    // FIT_BOXES collapsed ones (failing first); the fit button shows all.
    var target;
    if (many && rowBoxes.length) target = rowBoxes.union(rowBoxes.children());
    else if (many) target = grid.slice(0, Math.min(FIT_BOXES, Math.max(4, grid.filter(function (b) { return weight(b) > 0; }).length)));
    state.zoomed = !!target;
    cy.fit(target, 50);
    if (cy.zoom() > 1.4) { cy.zoom(1.4); cy.center(); }
  }

  // Locks: drawn on an overlay where traffic is mutual TLS (no emoji font needed).
  var lockCanvas = document.getElementById('locks');
  function drawLocks() {
    var r = window.devicePixelRatio || 1, w = lockCanvas.clientWidth, h = lockCanvas.clientHeight;
    if (lockCanvas.width !== w * r || lockCanvas.height !== h * r) { lockCanvas.width = w * r; lockCanvas.height = h * r; }
    var g = lockCanvas.getContext('2d');
    g.setTransform(r, 0, 0, r, 0, 0); g.clearRect(0, 0, w, h);
    if (cy.zoom() < 0.35) return;
    cy.edges('.mtls').forEach(function (e) {
      var p = e.renderedMidpoint(); if (p.x < -10 || p.y < -10 || p.x > w + 10 || p.y > h + 10) return;
      var x = p.x - 30, y = p.y - 10;
      g.fillStyle = '#fff'; g.beginPath(); g.arc(x, y + 1, 9, 0, 2 * Math.PI); g.fill();
      g.strokeStyle = COLOR.mtls; g.lineWidth = 2; g.beginPath(); g.arc(x, y - 1, 3.5, Math.PI, 0); g.stroke();
      g.fillStyle = COLOR.mtls; g.fillRect(x - 5.5, y - 1, 11, 8);
    });
  }
  cy.on('render', drawLocks);
  window.addEventListener('resize', drawLocks);

  // Detail panel.
  var panel = document.getElementById('detail');
  // setPanel replaces the panel's content, skipping the parts left null.
  function setPanel() { panel.replaceChildren.apply(panel, Array.prototype.filter.call(arguments, function (x) { return x != null; })); }
  function pickEdge(i) {
    var e = edges[i];
    return el('li', null, el('span', { 'class': 'dot ' + e._c }), el('span', { 'class': 'pick', 'data-edge': String(i), text: e.client.namespace + '/' + e.client.workload + ' → ' + short(e.server.host) + ':' + e.server.port }));
  }
  function showEdge(i) {
    var e = edges[i], dl = el('dl');
    function row(t, v, why) { dl.appendChild(el('dt', { text: t })); dl.appendChild(el('dd', null, v, why ? el('div', { 'class': 'why', text: why }) : null)); }
    row('Client sends', el('code', { text: e.clientSends }), e.clientReason);
    row('Server accepts', el('code', { text: e.serverAccepts }), e.serverReason);
    row('Mutual TLS', (e.mtls ? 'yes' : 'no') + (e.encrypted && !e.mtls ? ' (TLS, not mutual)' : ''));
    if (e.symptom) row('Symptom', el('pre', { 'class': 'symptom', text: e.symptom }));
    row('Cause', el('span', { 'class': 'cause', text: e.cause }));
    if (e.alternatives) row('If', el('pre', { 'class': 'alternatives', text: e.alternatives }));
    if (e.category) row('Category', el('code', { text: e.category }));
    row('Server', short(e.server.host) + ':' + e.server.port + ' → target port ' + e.server.targetPort + ' (' + e.server.protocol + ', proxy ' + e.server.proxy + ')');
    if (e.source) row('Declared by', e.source);
    var ul = el('ul', { 'class': 'decided' });
    (e.decidedBy || []).forEach(function (d) {
      ul.appendChild(el('li', null, d.kind + ' ' + (d.namespace ? d.namespace + '/' : '') + d.name + ' ', el('code', { text: d.file + (d.line > 0 ? ':' + d.line : '') })));
    });
    row('Decided by', ul);
    if (e.fixes && e.fixes.length) row('Fix options', renderFixes(e.fixes));
    setPanel(el('h2', null, el('span', { 'class': 'badge ' + e._c, text: LABEL[e._c] }), e.client.namespace + '/' + e.client.workload + ' → ' + short(e.server.host) + ':' + e.server.port), dl);
  }
  // Hook for a future `fixes` field: strings, or {title, description, patch}.
  function renderFixes(fixes) {
    var ul = el('ul', { 'class': 'fixes' });
    fixes.forEach(function (f) {
      if (typeof f === 'string') { ul.appendChild(el('li', { text: f })); return; }
      ul.appendChild(el('li', null, el('b', { text: f.title || f.summary || 'fix' }), f.description ? el('div', { text: f.description }) : null, f.patch ? el('pre', { text: f.patch }) : null));
    });
    return ul;
  }
  function showNode(id) {
    var n = nodes[id], out = el('ul'), inc = el('ul');
    n.out.forEach(function (i) { out.appendChild(pickEdge(i)); });
    n.inc.forEach(function (i) { inc.appendChild(pickEdge(i)); });
    setPanel(el('h2', { text: n.ns + '/' + n.name }), el('div', { text: (n.svc ? 'Service' : n.kind + ', proxy: ' + (n.proxy || 'unknown')) }),
      n.out.length ? el('h3', { text: 'Calls (' + n.out.length + ')' }) : null, n.out.length ? out : null,
      n.inc.length ? el('h3', { text: 'Called by (' + n.inc.length + ')' }) : null, n.inc.length ? inc : null);
  }
  function showList(title, list) {
    var ul = el('ul'); list.forEach(function (i) { ul.appendChild(pickEdge(i)); });
    setPanel(el('h2', { text: title }), ul);
  }
  function showOverview() {
    var fail = el('ul'), fs = el('ul'), notes = el('ul');
    var bad = edges.filter(function (e) { return e._c === 'fail' || e._c === 'unknown'; });
    bad.slice(0, 200).forEach(function (e) { fail.appendChild(pickEdge(e._i)); });
    if (bad.length > 200) fail.appendChild(el('li', { text: '… ' + (bad.length - 200) + ' more: use the search box or the namespace filter' }));
    findings.forEach(function (f) {
      var at = el('ul');
      f.at.forEach(function (a) { at.appendChild(el('li', null, el('code', { text: a }))); });
      if (f.count > f.at.length) at.appendChild(el('li', { text: '… and ' + (f.count - f.at.length) + ' more (-o json lists each)' }));
      fs.appendChild(el('li', null, el('span', { 'class': 'sev-' + f.severity, text: f.severity + ' ' }), f.code + ' ' + f.check + (f.count > 1 ? ' ×' + f.count : '') + ': ' + f.message, at));
    });
    if (bounds.edgeFailsFindings) fs.appendChild(el('li', { text: bounds.edgeFailsFindings + ' edge-fails findings: the failing edges above' }));
    // What the page's bounds left out, with counts (never silently).
    var d = bounds.droppedEdges || {};
    Object.keys(d).sort().forEach(function (k) { notes.appendChild(el('li', { text: d[k].toLocaleString('en-US') + ' ' + k + ' edges not embedded (the page embeds at most ' + bounds.maxEdges + ' edges, failing first; -o json has every edge)' })); });
    if (bounds.droppedNSPairs) notes.appendChild(el('li', { text: bounds.droppedNSPairs.toLocaleString('en-US') + ' namespace pairs not embedded, holding ' + bounds.droppedNSFailing.toLocaleString('en-US') + ' failing edges or pairs (the page embeds the ' + bounds.maxNSPairs + ' heaviest; -o json has allPairs.namespaces)' }));
    if (bounds.droppedFindingGroups) notes.appendChild(el('li', { text: bounds.droppedFindingGroups + ' finding groups (' + bounds.droppedFindings + ' findings) not embedded (at most ' + bounds.maxFindingGroups + ')' }));
    var ap = null;
    if (data.allPairs) {
      var a = data.allPairs;
      ap = el('div', null, el('div', { text: a.pairs.toLocaleString('en-US') + ' pairs judged by class (' + a.clientClasses + ' client × ' + a.serverClasses + ' Service-port classes): ' + a.failingPairs.toLocaleString('en-US') + ' failing, ' + a.unknownPairs.toLocaleString('en-US') + ' unknown' }));
      var cl = el('ul');
      a.causes.forEach(function (c) { cl.appendChild(el('li', null, el('span', { 'class': 'dot ' + (c.outcome === 'fail' ? 'fail' : 'unknown') }), c.pairs.toLocaleString('en-US') + ' pairs: ' + c.cause)); });
      ap.appendChild(cl);
    }
    setPanel(el('h2', { text: 'Overview' }),
      el('div', { text: sum.edges + ' edges: ' + sum.failing + ' failing, ' + sum.unknown + ' unknown, ' + sum.mtls + ' mutual TLS; ' + sum.errors + ' errors, ' + sum.warnings + ' warnings' }),
      notes.childNodes.length ? el('h3', { text: 'Not embedded' }) : null, notes.childNodes.length ? notes : null,
      ap ? el('h3', { text: 'All pairs' }) : null, ap,
      el('h3', { text: 'Failing and undecided edges' }), fail.childNodes.length ? fail : el('div', { text: 'none' }),
      el('h3', { text: 'Findings (' + findings.reduce(function (n, f) { return n + f.count; }, 0) + ')' }), fs);
  }
  function showPair(j) {
    var p = nsPairs[j], a = nsNames[p[0]], b = nsNames[p[1]];
    var list = edges.filter(function (e) { return e.client.namespace === a && e.server.namespace === b; }).map(function (e) { return e._i; });
    list.sort(function (x, y) { return RANK[edges[y]._c] - RANK[edges[x]._c] || x - y; });
    var ul = el('ul');
    list.slice(0, 500).forEach(function (i) { ul.appendChild(pickEdge(i)); });
    if (list.length > 500) ul.appendChild(el('li', { text: '… and ' + (list.length - 500) + ' more: expand the namespaces' }));
    var n = p[2] + p[3] + p[4] + p[5];
    setPanel(el('h2', null, el('span', { 'class': 'badge ' + pairClass(p), text: LABEL[pairClass(p)] }), a + ' → ' + b),
      el('div', { 'class': 'pairsum', text: pairLabel(p) }),
      n > list.length ? el('div', { 'class': 'why', text: (n - list.length) + ' of these ' + n + ' edges are not embedded in the page (-o json has them)' }) : null,
      el('h3', { text: 'Edges (' + list.length + ')' }), ul);
  }
  panel.addEventListener('click', function (ev) {
    var i = ev.target.getAttribute && ev.target.getAttribute('data-edge');
    if (i === null || i === undefined) return;
    var e = edges[+i];
    [e.client.namespace, e.server.namespace].forEach(function (ns) { if (!state.expanded[ns]) { state.expanded[ns] = true; rebuild(); } });
    cy.elements().unselect(); cy.getElementById('e' + i).select(); showEdge(+i);
  });

  cy.on('tap', 'edge', function (ev) {
    var d = ev.target.data();
    if (d.pair !== undefined) showPair(d.pair);
    else if (d.list) showList(d.label + ': ' + d.source.replace(/^ns:/, '') + ' → ' + d.target.replace(/^ns:/, ''), d.list);
    else if (d.i !== undefined) showEdge(d.i);
  });
  cy.on('tap', 'node', function (ev) {
    var n = ev.target, d = n.data();
    if (n.hasClass('ns')) { state.expanded[d.ns] = true; rebuild(); return; }
    if (n.hasClass('nsbox')) { showList('namespace ' + d.ns, edges.filter(function (e) { return e.client.namespace === d.ns || e.server.namespace === d.ns; }).map(function (e) { return e._i; })); return; }
    showNode(n.id());
  });
  cy.on('dbltap', 'node.nsbox', function (ev) { state.expanded[ev.target.data('ns')] = false; rebuild(); });
  cy.on('tap', function (ev) { if (ev.target === cy) showOverview(); });

  // Controls.
  document.getElementById('summary').textContent = sum.edges + ' edges · ' + sum.failing + ' failing · ' + sum.unknown + ' unknown · ' + sum.mtls + ' mTLS' +
    (sum.pairs != null ? ' · ' + sum.pairs.toLocaleString('en-US') + ' pairs, ' + sum.failingPairs.toLocaleString('en-US') + ' failing' : '');
  var sel = document.getElementById('namespace');
  namespaces.forEach(function (ns) { sel.appendChild(el('option', { value: ns, text: ns })); });
  var timer;
  document.getElementById('search').addEventListener('input', function (ev) { clearTimeout(timer); timer = setTimeout(function () { state.q = ev.target.value; rebuild(); }, 150); });
  document.getElementById('failing').addEventListener('change', function (ev) { state.failing = ev.target.checked; rebuild(); });
  var okp = document.getElementById('okpairs');
  okp.checked = state.okPairs;
  okp.addEventListener('change', function (ev) { state.okPairs = ev.target.checked; rebuild(); });
  sel.addEventListener('change', function (ev) { state.ns = ev.target.value; if (state.ns) state.expanded[state.ns] = true; rebuild(); });
  // Expanding every namespace of a large mesh would draw tens of thousands
  // of nodes: above EXPAND_ALL_MAX, "expand all" opens the failing and
  // unknown namespaces only, and says so.
  var EXPAND_ALL_MAX = 2000;
  document.getElementById('expand').addEventListener('click', function () {
    state.partial = total > EXPAND_ALL_MAX;
    namespaces.forEach(function (n) { if (!state.partial || failingNs[n] || unknownNs[n]) state.expanded[n] = true; });
    rebuild();
  });
  document.getElementById('collapse').addEventListener('click', function () { state.expanded = {}; state.partial = false; rebuild(); });
  document.getElementById('fit').addEventListener('click', function () { cy.fit(undefined, 40); state.zoomed = false; });
  T.cytoscape = performance.now();
  rebuild();
  T.graph = performance.now();
  showOverview();
  T.overview = performance.now();
  window.meshdoctor.timing = T;
  window.meshdoctor.readyMs = Math.round(performance.now()); // since navigation began
  document.body.setAttribute('data-ready', 'true');
})();
