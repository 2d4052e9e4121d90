// Train: start a task with its options, watch it live (GET /status every
// half second), see its data report, its metrics and whether the new
// version became the default.
import { h, append, fill, field, option, scroll, api, fail, guard, tokenHint, names, pct, num, date, datasets } from './lib.js';
import { checkReport } from './data.js';

export default async function trainPage(main, [taskID], left) {
  if (taskID) return watch(main, taskID, left);
  const sets = (await datasets()).filter((d) => d.labeled);
  append(main, h('h1', { text: 'Train a new version' }), tokenHint('starting a training task'));

  const data = h('select', { id: 'train-data', name: 'data' }, option('', '(none: the stored examples only)'), sets.map((d, i) => option(d.path, d.path, i === 0)));
  const useExamples = h('input', { type: 'checkbox', name: 'use_examples', checked: true });
  const valid = h('input', { type: 'number', name: 'valid', value: '0.2', min: '0.01', max: '0.99', step: '0.01' });
  const seed = h('input', { type: 'number', name: 'seed', value: '42', step: '1' });
  const c = h('input', { type: 'number', name: 'c', value: '1', min: '0.0001', max: '1000000', step: 'any' });
  const solver = h('select', { name: 'solver' }, option('l2', 'l2: L2-loss one-vs-rest'), option('l1', 'l1: L1-loss one-vs-rest'), option('cs', 'cs: Crammer-Singer'));
  const minDF = h('input', { type: 'number', name: 'min_df', value: '2', min: '1', max: '1000', step: '1' });
  const weight = h('select', { name: 'class_weight' }, option('none', 'none'), option('balanced', 'balanced'));
  const refit = h('input', { type: 'checkbox', name: 'refit' });
  const makeDefault = h('select', { name: 'make_default' },
    option('if_better', 'if better: when its validation accuracy beats the default'), option('always', 'always'), option('never', 'never (held)'));
  const out = h('div', { 'aria-live': 'polite' });

  const request = () => ({
    data: data.value || undefined, use_examples: useExamples.checked,
    options: { valid: Number(valid.value), seed: Number(seed.value), c: Number(c.value), solver: solver.value, min_df: Number(minDF.value), class_weight: weight.value, refit: refit.checked },
    make_default: makeDefault.value,
  });
  const check = h('button', { type: 'button', text: 'Check the data', onclick: async () => {
    try { fill(out, h('h2', { text: 'Data report' }), checkReport(await api('POST', '/check', request()), {})); } catch (e) { fail(e, out); }
  } });
  append(main, h('form', { class: 'train', onsubmit: async (e) => {
    e.preventDefault();
    try {
      const t = await api('POST', '/train', request());
      location.hash = '#/train/' + t.task_id;
    } catch (err) { fail(err, out); }
  } },
  h('fieldset', {}, h('legend', { text: 'Data' }), field('Dataset', data),
    h('div', { class: 'field check' }, useExamples, h('label', { for: useExamples.id = 'use-examples', text: 'Add the stored examples' }))),
  h('fieldset', {}, h('legend', { text: 'Options' }),
    field('Validation share', valid, 'held out of each intent to measure the model'), field('Seed', seed), field('C', c, 'SVM regularization'),
    field('Solver', solver), field('Minimum document frequency', minDF), field('Class weight', weight),
    h('div', { class: 'field check' }, refit, h('label', { for: refit.id = 'refit', text: 'Refit on every question after measuring' }))),
  h('fieldset', {}, h('legend', { text: 'Publishing' }), field('Make it the default', makeDefault)),
  h('p', { class: 'row' }, guard(h('button', { type: 'submit', text: 'Start training' })), check)), out);

  try {
    const tasks = (await api('GET', '/tasks?limit=10')).tasks;
    if (tasks.length) {
      append(main, h('h2', { text: 'Recent tasks' }), scroll('Recent tasks', h('table', {},
        h('thead', {}, h('tr', {}, ['Task', 'State', 'Created', 'Version', 'Accuracy'].map((t, i) => h('th', { scope: 'col', class: i === 4 ? 'num' : null, text: t })))),
        h('tbody', {}, tasks.map((t) => h('tr', {},
          h('td', {}, h('a', { href: '#/train/' + t.task_id, text: t.task_id })), h('td', { text: t.state }), h('td', { text: date(t.created_at) }),
          h('td', {}, t.version ? h('a', { href: '#/models/' + t.version, text: String(t.version) }) : '–'),
          h('td', { class: 'num', text: t.metrics ? pct(t.metrics.accuracy) : '–' })))))));
    }
  } catch (e) { /* the list is a convenience */ }
}

// watch polls a task until it ends and shows it.
async function watch(main, id, left) {
  const box = h('div', { class: 'task', 'aria-live': 'polite' });
  append(main, h('p', { class: 'crumbs' }, h('a', { href: '#/train', text: 'Train' }), ' / Task ' + id), h('h1', { text: 'Training task' }), box);
  let timer = null, stopped = false;
  async function poll() {
    try {
      const t = await api('GET', '/status/' + id);
      if (stopped) return;
      await show(box, t);
      if (t.state !== 'trained' && t.state !== 'failed') timer = setTimeout(poll, 500);
    } catch (e) { if (!stopped) fail(e, box); }
  }
  await poll();
  return () => { stopped = true; clearTimeout(timer); };
}

async function show(box, t) {
  const nm = t.version ? await names(t.version) : {};
  const done = t.state === 'trained' || t.state === 'failed';
  const progress = h('progress', { id: 'task-progress', max: '1', value: String(t.progress || 0) });
  const m = t.metrics;
  fill(box,
    h('p', { class: 'state' }, 'State ', h('strong', { id: 'task-state', class: t.state, text: t.state }), t.stage && !done ? ' (' + t.stage + ')' : ''),
    h('div', { class: 'field' }, h('label', { for: 'task-progress', text: 'Progress ' + pct(t.progress || 0, 0) }), progress),
    t.error ? h('p', { class: 'error', role: 'alert', text: t.error }) : null,
    t.version ? h('p', {}, 'New version ', h('a', { id: 'task-version', href: '#/models/' + t.version, text: 'version ' + t.version }), '. ',
      t.default !== undefined ? h('strong', { id: 'task-default', text: t.default ? 'It is now the default.' : 'It did not become the default.' }) : null,
      t.default_reason ? ' ' + t.default_reason : '') : null,
    m ? h('dl', { class: 'facts' },
      fact('Accuracy', pct(m.accuracy, 2)), fact('Macro-F1', pct(m.macro_f1, 2)), fact('Calibration error', num(m.ece_after, 4)),
      fact('Questions', m.n_train + ' trained, ' + m.n_valid + ' validation'), fact('Training time', num(m.train_seconds, 2) + ' s')) : null,
    t.timings && done ? h('p', { class: 'muted', text: 'Timings: ' + Object.entries(t.timings).map(([k, v]) => k + ' ' + num(v, 2) + ' s').join(', ') }) : null,
    t.data_report ? [h('h2', { text: 'Data report' }), checkReport(t.data_report, nm)] : null);
}

function fact(k, v) { return [h('dt', { text: k }), h('dd', { text: v })]; }
