// Models: every version with its state and metrics; pin, unpin, delete,
// upload. A version's page: its report (per-intent table, confusion
// heatmap, reliability diagram). Compare: two versions on one split.
import { h, append, field, option, scroll, api, fail, say, guard, tokenHint, models, names, intentText, pct, num, date, sortable } from './lib.js';
import { confusion, reliability } from './charts.js';

// ---- the list ----

export async function modelsPage(main) {
  const list = await models();
  append(main, h('h1', { text: 'Models' }));
  append(main, tokenHint('pinning, deleting or uploading a version'));
  const def = list.default, pinned = list.pinned;
  append(main, h('p', {}, def ? 'Version ' + def + ' answers by default' + (pinned ? ' (pinned).' : ' (the newest version not held).') : 'No version answers yet.',
    pinned ? [' ', guard(h('button', { type: 'button', onclick: () => act('DELETE', '/models/default', undefined, 'Unpinned: the newest version answers by default.'), text: 'Unpin' }))] : null));

  const rows = list.versions.slice().reverse();
  const table = h('table', { class: 'versions' },
    h('caption', { text: rows.length + ' version' + (rows.length === 1 ? '' : 's') }),
    h('thead', {}, h('tr', {}, ['Version', 'State', 'Created', 'Data hash', 'Accuracy', 'Macro-F1', 'ECE', 'Status', 'Actions']
      .map((t, i) => h('th', { scope: 'col', class: i >= 4 && i <= 6 ? 'num' : null, text: t })))),
    h('tbody', {}, rows.map((v) => {
      const m = v.metrics || {};
      const status = [v.default ? h('span', { class: 'badge default', text: 'default' }) : null,
        v.pinned ? h('span', { class: 'badge', text: 'pinned' }) : null,
        v.held ? h('span', { class: 'badge held', title: v.held_reason || '', text: 'held' }) : null];
      return h('tr', { 'data-version': v.version },
        h('th', { scope: 'row' }, h('a', { href: '#/models/' + v.version, text: 'Version ' + v.version })),
        h('td', {}, v.state, v.error ? h('small', { class: 'error', text: ' ' + v.error }) : null),
        h('td', { text: date(v.created_at) }),
        h('td', { class: 'hash', title: v.data_hash || '', text: (v.data_hash || '–').slice(0, 12) }),
        h('td', { class: 'num', text: pct(m.accuracy) }), h('td', { class: 'num', text: pct(m.macro_f1) }),
        h('td', { class: 'num', text: m.ece_after === undefined ? '–' : num(m.ece_after) }),
        h('td', {}, status),
        h('td', { class: 'actions' },
          v.pinned ? null : guard(h('button', { type: 'button', disabled: v.state === 'failed', onclick: () => act('PUT', '/models/default', { version: v.version }, 'Version ' + v.version + ' pinned: it answers by default.'), text: 'Pin', 'aria-label': 'Pin version ' + v.version })),
          deleteButton(v.version, v.pinned)));
    })));
  append(main, scroll('Versions', table));

  if (rows.length >= 2) {
    const a = h('select', {}, rows.map((v, i) => option(v.version, 'Version ' + v.version, i === 1)));
    const b = h('select', {}, rows.map((v, i) => option(v.version, 'Version ' + v.version, i === 0)));
    append(main, h('h2', { text: 'Compare two versions' }),
      h('form', { class: 'row', onsubmit: (e) => { e.preventDefault(); location.hash = '#/compare/' + a.value + '/' + b.value; } },
        field('Version A (its validation split)', a), field('Version B', b), h('button', { type: 'submit', text: 'Compare' })));
  }

  const file = h('input', { type: 'file', name: 'model', required: true });
  const report = h('input', { type: 'file', name: 'report', accept: '.json,application/json' });
  const valid = h('input', { type: 'file', name: 'valid', accept: '.jsonl' });
  const out = h('div', { 'aria-live': 'polite' });
  append(main, h('h2', { text: 'Upload a version' }),
    h('form', { class: 'row', onsubmit: async (e) => {
      e.preventDefault();
      const fd = new FormData();
      fd.append('model', file.files[0]);
      if (report.files[0]) fd.append('report', report.files[0]);
      if (valid.files[0]) fd.append('valid', valid.files[0]);
      try {
        const v = await api('POST', '/models', fd);
        say('Uploaded as version ' + v.version + '.');
        location.hash = '#/models/' + v.version;
      } catch (err) { fail(err, out); }
    } }, field('Model file (model.bin)', file), field('Report (report.json, optional)', report),
    field('Validation split (valid.jsonl, optional)', valid), guard(h('button', { type: 'submit', text: 'Upload' }))), out);
}

// act sends a change and shows the list again.
async function act(method, path, body, done) {
  try {
    await api(method, path, body);
    say(done);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } catch (e) { fail(e); }
}

// deleteButton asks once more before deleting.
function deleteButton(n, pinned) {
  const b = guard(h('button', { type: 'button', class: 'danger', 'aria-label': 'Delete version ' + n, text: 'Delete' }));
  if (pinned && !b.disabled) { b.disabled = true; b.title = 'The pinned version cannot be deleted: unpin it first'; }
  let armed = false, timer;
  b.addEventListener('click', () => {
    if (!armed) {
      armed = true;
      b.textContent = 'Confirm delete';
      timer = setTimeout(() => { armed = false; b.textContent = 'Delete'; }, 5000);
      return;
    }
    clearTimeout(timer);
    act('DELETE', '/models/' + n, undefined, 'Version ' + n + ' deleted.');
  });
  return b;
}

// ---- one version ----

export async function versionPage(main, [n]) {
  const [v, list, nm] = await Promise.all([api('GET', '/models/' + n), models(), names(Number(n))]);
  const r = v.report;
  append(main, h('p', { class: 'crumbs' }, h('a', { href: '#/models', text: 'Models' }), ' / Version ' + n));
  append(main, h('h1', {}, 'Version ' + n, ' ',
    v.default ? h('span', { class: 'badge default', text: 'default' }) : null,
    v.pinned ? h('span', { class: 'badge', text: 'pinned' }) : null,
    v.held ? h('span', { class: 'badge held', text: 'held' }) : null));
  append(main, tokenHint('pinning this version'));
  const meta = (r && r.model) || {};
  append(main, h('dl', { class: 'facts' },
    fact('State', v.state + (v.error ? ': ' + v.error : '')),
    fact('Created', date(v.created_at)),
    fact('Data hash', v.data_hash || '–'),
    v.held ? fact('Held', v.held_reason || 'yes') : null,
    r ? [fact('Accuracy', pct(r.accuracy, 2) + ci(r.accuracy_ci)), fact('Macro-F1', pct(r.macro_f1, 2) + ci(r.macro_f1_ci)),
      fact('Calibration error (ECE)', num(r.ece_after, 4) + ' (plain softmax ' + num(r.ece_before, 4) + ')'),
      fact('Questions', r.n_train + ' trained, ' + r.n_valid + ' validation'),
      fact('Model', (meta.solver || '?') + ', C ' + (meta.c ?? '?') + ', ' + r.n_features + ' features, temperature ' + num(r.temperature, 4))] : null));
  const actions = h('p', { class: 'row' });
  if (!v.pinned) append(actions, guard(h('button', { type: 'button', onclick: () => act('PUT', '/models/default', { version: Number(n) }, 'Version ' + n + ' pinned.'), text: 'Pin as the default' })));
  const others = list.versions.filter((x) => String(x.version) !== n);
  if (others.length && v.has_validation) {
    const b = h('select', {}, others.slice().reverse().map((x) => option(x.version, 'Version ' + x.version)));
    append(actions, h('form', { class: 'row', onsubmit: (e) => { e.preventDefault(); location.hash = '#/compare/' + n + '/' + b.value; } },
      field('Compare with', b), h('button', { type: 'submit', text: 'Compare' })));
  }
  append(main, actions);
  if (!r) {
    append(main, h('p', { class: 'hint', text: 'This version has no report (uploaded without report.json).' }));
    return;
  }
  const perClass = r.per_class || [];
  append(main, h('h2', { text: 'Per intent' }), scroll('Per-intent metrics', sortable(
    'Precision, recall and F1 of each intent on ' + r.n_valid + ' validation questions (sortable)',
    [{ title: 'Intent', key: (c) => c.label }, { title: 'Name', key: (c) => nm[c.label] || '' },
      { title: 'Precision', num: true, key: (c) => c.precision }, { title: 'Recall', num: true, key: (c) => c.recall },
      { title: 'F1', num: true, key: (c) => c.f1 }, { title: 'Support', num: true, key: (c) => c.support }],
    perClass,
    (c) => h('tr', {}, h('td', { text: c.label }), h('td', { text: nm[c.label] || '' }),
      h('td', { class: 'num', text: pct(c.precision) }), h('td', { class: 'num', text: pct(c.recall) }),
      h('td', { class: 'num', text: pct(c.f1) }), h('td', { class: 'num', text: String(c.support) })),
    [4, false])));
  append(main, h('h2', { text: 'Confusions' }), confusion(r, nm));
  append(main, h('h2', { text: 'Reliability' }));
  if (v.has_validation) {
    const box = h('div', {}, h('p', { class: 'muted', text: 'Replaying the validation split…' }));
    append(main, box);
    try { box.replaceChildren(reliability(await api('GET', '/models/' + n + '/reliability'))); } catch (e) { fail(e, box); }
  } else {
    append(main, h('p', { class: 'hint', text: 'No validation split is stored with this version: no reliability diagram.' }));
  }
  if (r.data) append(main, h('h2', { text: 'Data' }), dataReport(r.data));
}

function fact(k, v) { return [h('dt', { text: k }), h('dd', { text: v })]; }

function ci(c) { return c && c.length === 2 ? ' (95 % CI ' + pct(c[0]) + ' – ' + pct(c[1]) + ')' : ''; }

// dataReport shows report.data: sources, rows, rejections, the check.
function dataReport(d) {
  const c = d.check || {};
  return h('dl', { class: 'facts' },
    fact('Sources', (d.sources || []).join(', ')),
    fact('Rows', d.rows + ' read, ' + d.rejected + ' rejected' + (d.rejected_reasons ? ' (' + Object.entries(d.rejected_reasons).map(([k, n]) => k + ': ' + n).join(', ') + ')' : '')),
    fact('Validation', d.valid_from || '–'),
    c.intents ? fact('Intents', c.intents + (c.weak && c.weak.length ? ' (weak: ' + c.weak.join(', ') + ')' : '')) : null,
    c.warnings && c.warnings.length ? fact('Warnings', c.warnings.join('; ')) : null);
}

// ---- two versions ----

export async function comparePage(main, [a, b]) {
  const [list, nm] = await Promise.all([models(), names(Number(b))]);
  append(main, h('p', { class: 'crumbs' }, h('a', { href: '#/models', text: 'Models' }), ' / Compare'));
  append(main, h('h1', { text: 'Version ' + a + ' and version ' + b }));
  const sa = h('select', {}, list.versions.filter((v) => v.has_validation).map((v) => option(v.version, 'Version ' + v.version, String(v.version) === a)));
  const sb = h('select', {}, list.versions.map((v) => option(v.version, 'Version ' + v.version, String(v.version) === b)));
  append(main, h('form', { class: 'row', onsubmit: (e) => { e.preventDefault(); location.hash = '#/compare/' + sa.value + '/' + sb.value; } },
    field('Version A (its validation split)', sa), field('Version B', sb), h('button', { type: 'submit', text: 'Compare' })));
  const c = await api('GET', '/compare?a=' + a + '&b=' + b);
  const va = list.versions.find((v) => String(v.version) === a), vb = list.versions.find((v) => String(v.version) === b);
  append(main, h('p', {}, 'Both versions answer the ' + c.n + ' validation questions of version ' + c.split + '.'),
    va && vb && va.data_hash !== vb.data_hash ? h('p', { class: 'hint', text: 'The versions were trained on different data: one may have trained on some of these questions, which flatters it.' }) : null);
  const delta = (x, y) => (y - x >= 0 ? '+' : '−') + (100 * Math.abs(y - x)).toFixed(1);
  append(main, scroll('Headline metrics', h('table', { class: 'compare' },
    h('caption', { text: 'Headline metrics' }),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Metric' }), h('th', { scope: 'col', class: 'num', text: 'Version ' + a }),
      h('th', { scope: 'col', class: 'num', text: 'Version ' + b }), h('th', { scope: 'col', class: 'num', text: 'Change (points)' }))),
    h('tbody', {},
      h('tr', {}, h('th', { scope: 'row', text: 'Accuracy' }), h('td', { class: 'num', text: pct(c.a.accuracy) }), h('td', { class: 'num', text: pct(c.b.accuracy) }), h('td', { class: 'num', text: delta(c.a.accuracy, c.b.accuracy) })),
      h('tr', {}, h('th', { scope: 'row', text: 'Macro-F1' }), h('td', { class: 'num', text: pct(c.a.macro_f1) }), h('td', { class: 'num', text: pct(c.b.macro_f1) }), h('td', { class: 'num', text: delta(c.a.macro_f1, c.b.macro_f1) })),
      h('tr', {}, h('th', { scope: 'row', text: 'Answers changed' }), h('td', { class: 'num', colspan: '3', text: String(c.changed) }))))));

  const fb = new Map(c.b.per_class.map((x) => [x.label, x]));
  const rows = c.a.per_class.map((x) => ({ label: x.label, a: x.f1, b: fb.has(x.label) ? fb.get(x.label).f1 : 0, support: x.support }));
  append(main, h('h2', { text: 'F1 per intent' }), scroll('F1 per intent', sortable('F1 of each intent, side by side (sortable)',
    [{ title: 'Intent', key: (r) => r.label }, { title: 'Name', key: (r) => nm[r.label] || '' },
      { title: 'F1 ' + a, num: true, key: (r) => r.a }, { title: 'F1 ' + b, num: true, key: (r) => r.b },
      { title: 'Change', num: true, key: (r) => r.b - r.a }, { title: 'Support', num: true, key: (r) => r.support }],
    rows,
    (r) => h('tr', {}, h('td', { text: r.label }), h('td', { text: nm[r.label] || '' }), h('td', { class: 'num', text: pct(r.a) }),
      h('td', { class: 'num', text: pct(r.b) }), h('td', { class: r.b < r.a ? 'num worse' : r.b > r.a ? 'num better' : 'num', text: delta(r.a, r.b) }),
      h('td', { class: 'num', text: String(r.support) })),
    [4, false])));

  append(main, h('h2', { text: 'Questions whose answer changed' }));
  if (!c.questions.length) { append(main, h('p', { text: 'None: both versions answer every question alike.' })); return; }
  const mark = (x, label) => (String(x) === String(label) ? ' ✓' : ' ✗');
  append(main, scroll('Changed answers', h('table', { class: 'changed' },
    h('caption', { text: c.changed + ' question' + (c.changed === 1 ? '' : 's') + (c.questions.length < c.changed ? ' (the first ' + c.questions.length + ')' : '') + ' (✓ right, ✗ wrong)' }),
    h('thead', {}, h('tr', {}, ['Question', 'True intent', 'Version ' + a, 'Version ' + b].map((t) => h('th', { scope: 'col', text: t })))),
    h('tbody', {}, c.questions.map((q) => h('tr', {},
      h('td', { text: q.text }), h('td', { text: intentText(q.label, nm) }),
      h('td', { class: String(q.a) === String(q.label) ? 'better' : 'worse', text: intentText(q.a, nm) + mark(q.a, q.label) + ' (' + pct(q.a_probability, 0) + ')' }),
      h('td', { class: String(q.b) === String(q.label) ? 'better' : 'worse', text: intentText(q.b, nm) + mark(q.b, q.label) + ' (' + pct(q.b_probability, 0) + ')' })))))));
}
