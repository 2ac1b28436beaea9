// Palisade's HTML report: the findings list. The findings are a table embedded in the page
// (#data); only the rows on screen are in the document. The filter is the URL fragment
// (sev=high,critical&ns=shop&rule=POD001&q=text&f=12), so a link keeps it; f opens one.
(function () {
  'use strict';
  var SEV = ['critical', 'high', 'medium', 'low', 'info'];
  var ROW = 52;
  var D = JSON.parse(document.getElementById('data').textContent);
  var R = D.rules, O = D.objects, F = D.files, X = D.findings;
  var form = document.getElementById('filters');
  var list = document.getElementById('list'), spacer = document.getElementById('spacer');
  var rows = document.getElementById('rows'), count = document.getElementById('count');
  var detailBox = document.getElementById('detail');
  var shown = [], selected = -1;

  function option(select, value, label) {
    var o = document.createElement('option');
    o.value = value; o.textContent = label;
    select.appendChild(o);
  }
  // The choices, with how many findings each has.
  (function () {
    var ns = {}, rule = {};
    for (var i = 0; i < X.length; i++) {
      var n = O[X[i][1]][1] || '(cluster)';
      ns[n] = (ns[n] || 0) + 1;
      var r = R[X[i][0]][0];
      rule[r] = (rule[r] || 0) + 1;
    }
    Object.keys(ns).sort().forEach(function (k) { option(form.ns, k, k + ' (' + ns[k] + ')'); });
    Object.keys(rule).sort().forEach(function (k) { option(form.rule, k, k + ' (' + rule[k] + ')'); });
  })();

  function state() {
    var p = new URLSearchParams(location.hash.slice(1));
    return { sev: p.get('sev'), ns: p.get('ns') || '', rule: p.get('rule') || '', q: p.get('q') || '', f: p.get('f') };
  }
  function fragment(s, f) {
    var p = new URLSearchParams();
    if (s.sev !== null && s.sev !== undefined) p.set('sev', s.sev);
    if (s.ns) p.set('ns', s.ns);
    if (s.rule) p.set('rule', s.rule);
    if (s.q) p.set('q', s.q);
    if (f !== undefined && f !== null && f >= 0) p.set('f', f);
    return p.toString();
  }
  function fromForm() {
    var sev = [];
    form.querySelectorAll('input[name=sev]').forEach(function (b) { if (b.checked) sev.push(b.value); });
    return { sev: sev.length === SEV.length ? null : sev.join(','), ns: form.ns.value, rule: form.rule.value, q: form.q.value.trim() };
  }
  function toForm(s) {
    var sev = s.sev === null ? SEV : s.sev.split(',');
    form.querySelectorAll('input[name=sev]').forEach(function (b) { b.checked = sev.indexOf(b.value) >= 0; });
    form.ns.value = s.ns; form.rule.value = s.rule; form.q.value = s.q;
  }
  function objectName(o) { return o[0] + ' ' + (o[1] ? o[1] + '/' : '') + o[2]; }
  function where(f) { return f[2] >= 0 ? F[f[2]] + ':' + f[3] : ''; }

  function filter(s) {
    var sev = {};
    (s.sev === null ? SEV : s.sev.split(',')).forEach(function (x) { sev[SEV.indexOf(x)] = true; });
    var q = s.q.toLowerCase(), ns = s.ns === '(cluster)' ? '' : s.ns;
    shown = [];
    for (var i = 0; i < X.length; i++) {
      var f = X[i], o = O[f[1]], r = R[f[0]];
      if (!sev[f[4]]) continue;
      if (s.rule && r[0] !== s.rule) continue;
      if (s.ns && o[1] !== ns) continue;
      if (q && f[5].toLowerCase().indexOf(q) < 0 && objectName(o).toLowerCase().indexOf(q) < 0 && (r[0] + ' ' + r[1]).toLowerCase().indexOf(q) < 0) continue;
      shown.push(i);
    }
    count.textContent = shown.length + ' of ' + X.length + ' findings';
    count.dataset.shown = shown.length;
    spacer.style.height = shown.length * ROW + 'px';
  }

  function render() {
    var top = list.scrollTop, height = list.clientHeight || 600;
    var first = Math.max(0, Math.floor(top / ROW) - 5), last = Math.min(shown.length, Math.ceil((top + height) / ROW) + 5);
    var s = state(), frag = document.createDocumentFragment();
    for (var k = first; k < last; k++) {
      var i = shown[k], f = X[i], r = R[f[0]], o = O[f[1]];
      var a = document.createElement('a');
      a.className = 'row sev-' + SEV[f[4]] + (i === selected ? ' on' : '');
      a.style.top = k * ROW + 'px';
      a.href = '#' + fragment(s, i);
      a.dataset.i = i;
      var l1 = document.createElement('span'); l1.className = 'l1';
      l1.textContent = SEV[f[4]] + ' · ' + r[0] + ' ' + r[1] + ' · ' + objectName(o) + (f[2] >= 0 ? ' · ' + where(f) : '');
      var l2 = document.createElement('span'); l2.className = 'l2';
      l2.textContent = f[5];
      a.appendChild(l1); a.appendChild(l2);
      frag.appendChild(a);
    }
    rows.replaceChildren(frag);
  }

  // The source lines around a finding (#excerpts, parsed when first needed).
  var EX = null;
  function excerpt(file, line) {
    if (EX === null) EX = JSON.parse(document.getElementById('excerpts').textContent);
    var lines = EX[file];
    if (!lines) return null;
    var pre = document.createElement('pre');
    pre.className = 'excerpt';
    for (var n = Math.max(1, line - 3); n <= line + 3; n++) {
      if (lines[n] === undefined) continue;
      var el = document.createElement(n === line ? 'mark' : 'span');
      var ln = document.createElement('span');
      ln.className = 'ln'; ln.textContent = n;
      el.appendChild(ln); el.appendChild(document.createTextNode(lines[n]));
      pre.appendChild(el); pre.appendChild(document.createTextNode('\n'));
    }
    return pre.childNodes.length ? pre : null;
  }

  function detail(i) {
    selected = i;
    detailBox.replaceChildren();
    if (!(i >= 0 && i < X.length)) return;
    var f = X[i], r = R[f[0]], o = O[f[1]];
    var dl = document.createElement('dl');
    [['Finding', SEV[f[4]] + ' · ' + r[0] + ' ' + r[1]], ['Message', f[5]], ['Object', objectName(o)], ['Where', where(f) || '(no file: a live object)'],
     ['Field', f[6] || '(the object)'], ['Rule', r[2]], ['Remediation', r[3]]].forEach(function (pair) {
      if (!pair[1]) return;
      var dt = document.createElement('dt'); dt.textContent = pair[0];
      var dd = document.createElement('dd'); dd.textContent = pair[1];
      dl.appendChild(dt); dl.appendChild(dd);
    });
    detailBox.appendChild(dl);
    var pre = f[2] >= 0 ? excerpt(F[f[2]], f[3]) : null;
    if (pre) detailBox.appendChild(pre);
    detailBox.dataset.i = i;
  }

  function apply(scroll) {
    var s = state();
    toForm(s);
    filter(s);
    var f = s.f === null ? -1 : +s.f;
    detail(f);
    var at = shown.indexOf(f);
    if (scroll) list.scrollTop = at >= 0 ? Math.max(0, at * ROW - list.clientHeight / 3) : 0;
    render();
  }

  form.addEventListener('input', function () {
    history.replaceState(null, '', '#' + fragment(fromForm()));
    apply(true);
  });
  form.addEventListener('submit', function (e) { e.preventDefault(); });
  // A fragment without `=` is a section (#rbac): the filter stays as it was.
  window.addEventListener('hashchange', function () { if (location.hash.indexOf('=') >= 0 || location.hash.length < 2) apply(false); });
  list.addEventListener('scroll', function () { window.requestAnimationFrame(render); }, { passive: true });
  list.addEventListener('keydown', function (e) {
    var step = { ArrowDown: ROW, ArrowUp: -ROW, PageDown: list.clientHeight, PageUp: -list.clientHeight }[e.key];
    if (e.key === 'Home') step = -list.scrollTop;
    if (e.key === 'End') step = list.scrollHeight;
    if (step) { list.scrollTop += step; e.preventDefault(); }
  });
  // A printout shows what the page folds away.
  window.addEventListener('beforeprint', function () {
    document.querySelectorAll('details').forEach(function (d) { d.open = true; });
  });
  apply(true);
  document.body.dataset.readyMs = Math.round(performance.now());
})();
