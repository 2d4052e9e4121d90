// The router: one page at a time in <main>, chosen by the URL's hash
// (#/models/3); /?q=... opens Ask with the question answered.
import { h, token, setToken, onToken, fail, say } from './lib.js';
import ask from './ask.js';
import { modelsPage, versionPage, comparePage } from './models.js';
import dataPage from './data.js';
import trainPage from './train.js';
import labelPage from './label.js';

const routes = [
  [/^\/?$/, 'ask', 'Ask', ask],
  [/^\/models$/, 'models', 'Models', modelsPage],
  [/^\/models\/(\d+)$/, 'models', 'Version', versionPage],
  [/^\/compare\/(\d+)\/(\d+)$/, 'models', 'Compare', comparePage],
  [/^\/data$/, 'data', 'Data', dataPage],
  [/^\/train(?:\/([0-9a-f]{16}))?$/, 'train', 'Train', trainPage],
  [/^\/label$/, 'label', 'Label', labelPage],
];

let cleanup = null; // what the current page stops when it is left (timers, key handlers)
let seq = 0;
let shown = null; // the path on screen

async function render() {
  const path = location.hash.replace(/^#/, '');
  const main = document.getElementById('main');
  if (cleanup) { cleanup(); cleanup = null; }
  const my = ++seq;
  if (path !== shown) say(''); // a message is about the page it was said on
  shown = path;
  let found = routes.find(([re]) => re.test(path));
  if (!found) {
    main.replaceChildren(h('h1', { text: 'Not found' }), h('p', {}, 'No page here. ', h('a', { href: '#/', text: 'Ask a question' }), '.'));
    return;
  }
  const [re, nav, title, page] = found;
  if (nav !== 'ask' && location.search) history.replaceState(null, '', '/' + location.hash);
  for (const a of document.querySelectorAll('nav a')) {
    if (a.dataset.page === nav) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  document.title = title + ' · intent';
  main.replaceChildren();
  main.removeAttribute('data-ready');
  try {
    const done = await page(main, re.exec(path).slice(1), () => my !== seq);
    if (my === seq) cleanup = typeof done === 'function' ? done : null;
    else if (typeof done === 'function') done();
  } catch (e) {
    if (my === seq) fail(e, main);
  }
  if (my === seq) main.dataset.ready = String(performance.now());
}

function tokenBox() {
  const summary = document.querySelector('#token summary');
  const input = document.getElementById('token-input');
  const show = () => { summary.textContent = token() ? 'Token: set' : 'Token: none (read-only)'; };
  document.getElementById('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    setToken(input.value.trim());
    input.value = '';
    document.getElementById('token').open = false;
  });
  document.getElementById('token-forget').addEventListener('click', () => { setToken(''); input.value = ''; });
  onToken(() => { show(); render(); });
  show();
}

// A link to the page itself (#/models from #/models) re-renders it.
document.querySelector('nav').addEventListener('click', (e) => {
  const a = e.target.closest('a');
  if (a && a.getAttribute('href') === location.hash) render();
});
window.addEventListener('hashchange', render);
tokenBox();
render();
