// Label: the pool of unlabeled questions ranked by uncertainty; the most
// uncertain question with the suggested intent and the top 3; one click or
// one key labels it (it becomes a stored example and leaves the queue).
import { h, append, fill, field, option, api, fail, say, guard, tokenHint, canMutate, names, intentText, pct, datasets } from './lib.js';

const COUNT_KEY = 'intent.labeled';

export default async function labelPage(main) {
  const sets = await datasets();
  append(main, h('h1', { text: 'Label questions' }), tokenHint('adding questions, labeling and retraining'));
  const counter = h('p', { class: 'counter', 'aria-live': 'polite' });
  const card = h('section', { class: 'card', 'aria-label': 'Question to label' });
  append(main, counter, card);

  // The pool.
  const unl = sets.filter((d) => d.unlabeled);
  const src = h('select', { id: 'pool-data' }, unl.map((d) => option(d.path, d.path + (d.format === 'posos' ? ' (its input_test.csv)' : ''))));
  const file = h('input', { type: 'file', accept: '.csv,.tsv,.jsonl,.json,.txt' });
  const poolOut = h('div', { 'aria-live': 'polite' });
  const added = (r) => { say(r.added + ' question' + (r.added === 1 ? '' : 's') + ' added (' + r.pending + ' waiting).'); next(); };
  append(main, h('h2', { text: 'Questions to label' }),
    unl.length ? h('form', { class: 'row', onsubmit: async (e) => {
      e.preventDefault();
      try { added(await api('POST', '/label/pool', { data: src.value })); } catch (err) { fail(err, poolOut); }
    } }, field('Dataset', src), guard(h('button', { type: 'submit', text: 'Add its questions' }))) : null,
    h('form', { class: 'row', onsubmit: async (e) => {
      e.preventDefault();
      if (!file.files[0]) return;
      const fd = new FormData();
      fd.append('file', file.files[0]);
      try { added(await api('POST', '/label/pool', fd)); } catch (err) { fail(err, poolOut); }
    } }, field('File of questions (CSV, TSV, JSONL, or text: one a line)', file), guard(h('button', { type: 'submit', text: 'Upload' }))),
    h('p', {}, guard(h('button', { type: 'button', class: 'danger', text: 'Empty the pool', onclick: async () => {
      try { const r = await api('DELETE', '/label/pool'); say(r.deleted + ' questions removed.'); next(); } catch (err) { fail(err, poolOut); }
    } }))), poolOut);

  // Retraining.
  const labeled = sets.filter((d) => d.labeled);
  const rdata = h('select', { id: 'retrain-data' }, option('', 'the stored examples only'), labeled.map((d, i) => option(d.path, d.path + ' and the stored examples', i === 0)));
  const rOut = h('div', { 'aria-live': 'polite' });
  append(main, h('h2', { text: 'Retrain' }),
    h('form', { class: 'row', onsubmit: async (e) => {
      e.preventDefault();
      try {
        const t = await api('POST', '/train', { data: rdata.value || undefined, use_examples: true });
        location.hash = '#/train/' + t.task_id;
      } catch (err) { fail(err, rOut); }
    } }, field('Train on', rdata), guard(h('button', { type: 'submit', text: 'Retrain with the new labels' }))), rOut);

  let current = null; // the question shown, with its choices
  let nm = {};

  function count() { return Number(sessionStorage.getItem(COUNT_KEY) || 0); }

  async function next() {
    let q;
    try {
      q = await api('GET', '/label/queue?limit=1');
    } catch (e) {
      current = null;
      counter.textContent = '';
      return fail(e, card);
    }
    nm = await names(q.version);
    fill(counter, 'Labeled in this session: ', h('strong', { id: 'labeled-count', text: String(count()) }),
      ' · waiting: ', h('strong', { id: 'pending-count', text: String(q.pending) }));
    const item = q.items[0];
    if (!item) {
      current = null;
      fill(card, h('p', { text: 'No question waits: add some below.' }));
      return;
    }
    const other = h('select', { id: 'label-other' }, q.labels.map((l) => option(l, intentText(l, nm))));
    current = { item, choices: item.top.map((t) => t.intent) };
    fill(card,
      h('p', { class: 'muted', text: 'Most uncertain of ' + q.pending + ' (version ' + q.version + ', ' + q.strategy + ' ' + item.score.toFixed(3) + ')' }),
      h('blockquote', { id: 'label-text', text: item.text }),
      h('p', {}, 'Suggested: ', h('strong', { text: intentText(item.intent, nm) }), ' (' + pct(item.probability) + ')'),
      h('div', { class: 'choices', role: 'group', 'aria-label': 'Label as' }, item.top.map((t, i) =>
        guard(h('button', { type: 'button', class: i === 0 ? 'primary' : null, 'aria-keyshortcuts': String(i + 1) + (i === 0 ? ' Enter' : ''),
          onclick: () => label(t.intent) }, h('kbd', { text: String(i + 1) }), ' ' + intentText(t.intent, nm) + ' ', h('small', { text: pct(t.probability) }))))),
      h('form', { class: 'row', onsubmit: (e) => { e.preventDefault(); label(other.value); } },
        field('Another intent', other), guard(h('button', { type: 'submit', text: 'Label' })),
        guard(h('button', { type: 'button', 'aria-keyshortcuts': 'S', onclick: skip }, h('kbd', { text: 'S' }), ' Skip'))),
      h('p', { class: 'hint', text: canMutate() ? 'Keys: 1, 2, 3 pick an intent (Enter: the suggestion), S skips.' : '' }));
  }

  async function label(intent) {
    if (!current || !canMutate()) return;
    const item = current.item;
    current = null;
    try {
      const ex = await api('POST', '/label/queue/' + item.id, { intent });
      sessionStorage.setItem(COUNT_KEY, String(count() + 1));
      say('Labeled ' + intentText(ex.intent, nm) + ': example ' + ex.id + '.');
    } catch (e) { fail(e); }
    await next();
  }

  async function skip() {
    if (!current || !canMutate()) return;
    const item = current.item;
    current = null;
    try { await api('DELETE', '/label/queue/' + item.id); say('Skipped.'); } catch (e) { fail(e); }
    await next();
  }

  function onKey(e) {
    if (e.altKey || e.ctrlKey || e.metaKey || !current) return;
    if (e.target.closest('input, select, textarea, details')) return;
    if (e.target.tagName === 'BUTTON' && e.key === 'Enter') return; // the button's own click
    const i = e.key === 'Enter' ? 0 : '123'.indexOf(e.key);
    if (i >= 0 && i < current.choices.length) { e.preventDefault(); label(current.choices[i]); } else if (e.key === 's' || e.key === 'S') { e.preventDefault(); skip(); }
  }
  document.addEventListener('keydown', onKey);
  await next();
  return () => document.removeEventListener('keydown', onKey);
}
