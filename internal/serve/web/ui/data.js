// Data: browse, filter, add, relabel and delete the stored examples; the
// data report (POST /check) of the stored examples, with a dataset or not.
import { h, append, fill, field, option, scroll, api, fail, say, guard, tokenHint, models, names, intentText, date, datasets } from './lib.js';

export default async function dataPage(main) {
  const [list, sets] = await Promise.all([models(), datasets()]);
  const nm = await names(list.default);
  const intents = h('datalist', { id: 'intents' }, Object.keys(nm).map((k) => option(k, nm[k])));
  append(main, h('h1', { text: 'Data' }), intents, tokenHint('adding, relabeling or deleting examples'));

  // Add.
  const text = h('textarea', { id: 'add-text', rows: '2', required: true, maxlength: '10000' });
  const intent = h('input', { id: 'add-intent', required: true, list: 'intents', autocomplete: 'off', maxlength: '200' });
  const addOut = h('div', { 'aria-live': 'polite' });
  append(main, h('h2', { text: 'Add an example' }), h('form', { class: 'row add', onsubmit: async (e) => {
    e.preventDefault();
    try {
      const r = await api('POST', '/examples', { text: text.value, intent: intent.value.trim() });
      say('Example ' + r.ids[0] + ' added.');
      text.value = '';
      fill(addOut);
      load(0);
    } catch (err) { fail(err, addOut); }
  } }, field('Question', text), field('Intent', intent), guard(h('button', { type: 'submit', text: 'Add' }))), addOut);

  // Browse.
  const fIntent = h('input', { id: 'filter-intent', type: 'search', list: 'intents', autocomplete: 'off', maxlength: '200' });
  const fText = h('input', { id: 'filter-text', type: 'search', autocomplete: 'off', maxlength: '200' });
  const table = h('div');
  const more = h('p');
  append(main, h('h2', { text: 'Examples' }),
    h('form', { class: 'row', role: 'search', onsubmit: (e) => { e.preventDefault(); load(0); } },
      field('Intent', fIntent), field('Text contains', fText), h('button', { type: 'submit', text: 'Filter' })),
    table, more);

  let rows = [];
  async function load(after) {
    const q = new URLSearchParams({ limit: '50' });
    if (fIntent.value.trim()) q.set('intent', fIntent.value.trim());
    if (fText.value.trim()) q.set('text', fText.value.trim());
    if (after) q.set('after', String(after));
    try {
      const page = await api('GET', '/examples?' + q);
      rows = after ? rows.concat(page.examples) : page.examples;
      draw(page.total);
      fill(more, page.next ? h('button', { type: 'button', onclick: () => load(rows[rows.length - 1].id), text: 'More examples' }) : null);
    } catch (e) { fail(e, table); }
  }

  function draw(total) {
    fill(table, scroll('Examples', h('table', { class: 'examples' },
      h('caption', { text: total + ' example' + (total === 1 ? '' : 's') + (rows.length < total ? ' (' + rows.length + ' shown)' : '') }),
      h('thead', {}, h('tr', {}, ['Id', 'Question', 'Intent', 'Source', 'Added', 'Actions'].map((t) => h('th', { scope: 'col', text: t })))),
      h('tbody', {}, rows.map(row)))));
  }

  function row(ex) {
    const relabel = h('input', { value: ex.intent, list: 'intents', autocomplete: 'off', 'aria-label': 'New intent of example ' + ex.id, size: '8' });
    const cell = h('td', { text: intentText(ex.intent, nm) });
    const tr = h('tr', { 'data-id': ex.id },
      h('td', { text: String(ex.id) }), h('td', { class: 'text', text: ex.text }), cell,
      h('td', { text: ex.source }), h('td', { text: date(ex.created_at) }),
      h('td', { class: 'actions' },
        h('form', { class: 'inline', onsubmit: async (e) => {
          e.preventDefault();
          try {
            const r = await api('PATCH', '/examples/' + ex.id, { intent: relabel.value.trim() });
            ex.intent = r.intent;
            cell.textContent = intentText(r.intent, nm);
            say('Example ' + ex.id + ' relabeled ' + r.intent + '.');
          } catch (err) { fail(err); }
        } }, relabel, guard(h('button', { type: 'submit', text: 'Relabel', 'aria-label': 'Relabel example ' + ex.id }))),
        guard(h('button', { type: 'button', class: 'danger', 'aria-label': 'Delete example ' + ex.id, text: 'Delete', onclick: async () => {
          try {
            await api('DELETE', '/examples/' + ex.id);
            rows = rows.filter((x) => x !== ex);
            tr.remove();
            say('Example ' + ex.id + ' deleted.');
          } catch (err) { fail(err); }
        } }))));
    return tr;
  }

  // The data report.
  const labeled = sets.filter((d) => d.labeled);
  const src = h('select', { id: 'check-data' }, option('', 'Stored examples only'), labeled.map((d) => option(d.path, d.path + ' and the stored examples')));
  const report = h('div', { 'aria-live': 'polite' });
  append(main, h('h2', { text: 'Data report' }),
    h('form', { class: 'row', onsubmit: async (e) => {
      e.preventDefault();
      try { fill(report, checkReport(await api('POST', '/check', src.value ? { data: src.value, use_examples: true } : {}), nm)); } catch (err) { fail(err, report); }
    } }, field('Data', src), h('button', { type: 'submit', text: 'Check' })), report);
  await load(0);
}

// checkReport shows POST /check's answer (or a task's data_report).
export function checkReport(r, nm) {
  const per = Object.entries(r.per_intent || {}).sort((a, b) => b[1] - a[1]);
  return h('div', { class: 'report' },
    h('p', { class: r.usable ? 'ok' : 'error' }, h('strong', { text: r.usable ? 'Usable' : 'Not usable' }),
      ': ' + r.examples + ' questions, ' + r.intents + ' intents, ' + r.rejected + ' rejected' +
      (r.duplicate_texts ? ', ' + r.duplicate_texts + ' duplicates' : '') + (r.conflicting_texts ? ', ' + r.conflicting_texts + ' with conflicting intents' : '') + '.'),
    h('p', { class: 'muted', text: 'From ' + (r.sources || []).join(', ') }),
    (r.problems || []).map((p) => h('p', { class: 'error', text: p })),
    (r.warnings || []).map((w) => h('p', { class: 'hint', text: w })),
    r.rejected_reasons ? h('p', { text: 'Rejected: ' + Object.entries(r.rejected_reasons).map(([k, n]) => k + ' ' + n).join(', ') }) : null,
    per.length ? h('details', {}, h('summary', { text: 'Questions per intent' }), scroll('Questions per intent', h('table', {},
      h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Intent' }), h('th', { scope: 'col', class: 'num', text: 'Questions' }))),
      h('tbody', {}, per.map(([k, n]) => h('tr', {}, h('td', { text: intentText(k, nm) }), h('td', { class: 'num', text: String(n) }))))))) : null);
}
