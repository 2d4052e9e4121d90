// Ask: a question, the intent the model answers with its probability, and
// the five most likely intents as bars. /?q=...[&version=N] answers on load.
import { h, append, fill, field, option, api, fail, models, names, intentText, pct } from './lib.js';

export default async function ask(main) {
  const params = new URLSearchParams(location.search);
  const list = await models();
  const usable = list.versions.filter((v) => v.state === 'available' || v.state === 'unloaded');

  const q = h('input', { type: 'search', id: 'q', name: 'q', value: params.get('q') || '', required: true, autocomplete: 'off', maxlength: '10000', placeholder: 'risques poisson cru pendant la grossesse ?' });
  const version = h('select', { id: 'ask-version', name: 'version' },
    option('', list.default ? 'Default (version ' + list.default + ')' : 'Default'),
    usable.map((v) => option(v.version, 'Version ' + v.version, String(v.version) === params.get('version'))));
  const result = h('section', { class: 'answer', 'aria-live': 'polite', 'aria-label': 'Answer' });
  const form = h('form', { class: 'ask', role: 'search', onsubmit: (e) => { e.preventDefault(); answer(); } },
    field('Question', q), field('Version', version), h('button', { type: 'submit', text: 'Ask' }));

  append(main, h('h1', { text: 'Ask a question' }), form, result);
  if (!list.default) append(result, h('p', { class: 'hint', text: 'No model is loaded yet: train one (Train) or upload one (Models).' }));

  async function answer() {
    const text = q.value.trim();
    if (!text) return;
    const v = version.value;
    const url = '/?q=' + encodeURIComponent(text) + (v ? '&version=' + v : '');
    history.replaceState(null, '', url);
    const n = Number(v || list.default);
    const info = list.versions.find((x) => x.version === n);
    const top = Math.max(1, Math.min(5, (info && info.labels) || 5));
    fill(result, h('p', { class: 'muted', text: 'Asking…' }));
    try {
      const [res, nm] = await Promise.all([
        api('GET', '/intent?query=' + encodeURIComponent(text) + '&top=' + top + (v ? '&version=' + v : '')),
        names(n),
      ]);
      show(res, nm, n, url);
    } catch (e) {
      fail(e, result);
    }
  }

  function show(res, nm, n, url) {
    const best = res.ranking && res.ranking[0];
    const fallback = best && String(best.intent) !== String(res.intent);
    fill(result,
      h('p', { class: 'intent' }, h('span', { class: 'label', text: 'Intent ' }),
        h('strong', { id: 'answer-intent', text: String(res.intent) }),
        nm[String(res.intent)] ? h('span', { class: 'name', text: nm[String(res.intent)] }) : null),
      h('p', {}, 'Probability ', h('strong', { id: 'answer-probability', text: pct(Number(res.probability), 2) }),
        ' · version ' + n),
      fallback ? h('p', { class: 'hint', text: 'Below the out-of-scope threshold: the model answers its fallback intent.' }) : null,
      h('h2', { text: 'Most likely intents' }),
      bars(res.ranking || [], nm),
      h('p', { class: 'share' }, h('a', { href: url, text: 'Link to this answer' })));
  }
  if (q.value) await answer();
}

// bars draws a ranking as horizontal bars with their values as text.
export function bars(ranking, nm) {
  return h('ol', { class: 'bars' }, ranking.map((r) => {
    const p = Number(r.probability);
    const fill = h('span', { class: 'fill' });
    fill.style.width = Math.max(0.5, 100 * p).toFixed(2) + '%';
    return h('li', {},
      h('span', { class: 'bar-label', text: intentText(r.intent, nm) }),
      h('span', { class: 'track', 'aria-hidden': 'true' }, fill),
      h('span', { class: 'bar-value', text: pct(p, 2) }));
  }));
}
