// Charts as SVG and tables: the confusion heatmap and the reliability
// diagram. Every chart has a text equivalent (a title, a table).
import { h, s, scroll, intentText, pct } from './lib.js';

// heatmapLimit is the most intents drawn in one heatmap: past it, the
// heatmap shows the intents involved in the most frequent confusions.
export const heatmapLimit = 30;

// confusion shows report.confusion (rows: true intent, columns: predicted)
// as a heatmap, restricted to the most confused intents when there are
// many, with the most frequent confusions listed.
export function confusion(report, nm) {
  const labels = report.labels || [];
  const m = report.confusion || [];
  const cells = [];
  m.forEach((row, i) => row.forEach((c, j) => { if (i !== j && c > 0) cells.push({ t: i, p: j, c }); }));
  cells.sort((a, b) => b.c - a.c || a.t - b.t || a.p - b.p);
  let idx = labels.map((_, i) => i);
  let note = null;
  if (labels.length > heatmapLimit) {
    const keep = new Set();
    for (const x of cells) {
      if (keep.size >= 20) break;
      keep.add(x.t); keep.add(x.p);
    }
    idx = [...keep].sort((a, b) => a - b);
    note = h('p', { class: 'hint', text: labels.length + ' intents: the heatmap shows the ' + idx.length + ' involved in the most frequent confusions.' });
  }
  const max = Math.max(1, ...idx.map((i) => Math.max(...idx.map((j) => (i === j ? 0 : m[i][j])))));
  const diagMax = Math.max(1, ...idx.map((i) => m[i][i]));
  const table = h('table', { class: 'heatmap' },
    h('caption', { text: 'Confusion matrix: rows are the true intents, columns the predicted ones' }),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'true \\ predicted' }),
      idx.map((j) => h('th', { scope: 'col', title: intentText(labels[j], nm), text: labels[j] })))),
    h('tbody', {}, idx.map((i) => h('tr', {},
      h('th', { scope: 'row', title: intentText(labels[i], nm), text: labels[i] }),
      idx.map((j) => {
        const c = m[i][j];
        const td = h('td', { title: 'true ' + labels[i] + ', predicted ' + labels[j] + ': ' + c, text: c ? String(c) : '' });
        if (c) {
          const a = i === j ? 0.15 + 0.6 * c / diagMax : 0.2 + 0.8 * c / max;
          td.style.backgroundColor = i === j ? 'rgba(31, 95, 168, ' + a.toFixed(3) + ')' : 'rgba(200, 60, 30, ' + a.toFixed(3) + ')';
          if (a > 0.55) td.classList.add('dark');
        }
        return td;
      })))));
  const top = cells.slice(0, 15);
  const list = top.length === 0 ? h('p', { text: 'No confusion: every validation question was answered right.' }) :
    h('table', { class: 'confusions' },
      h('caption', { text: 'Most frequent confusions' }),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'True intent' }), h('th', { scope: 'col', text: 'Predicted' }), h('th', { scope: 'col', class: 'num', text: 'Questions' }))),
      h('tbody', {}, top.map((x) => h('tr', {},
        h('td', { text: intentText(labels[x.t], nm) }), h('td', { text: intentText(labels[x.p], nm) }), h('td', { class: 'num', text: String(x.c) })))));
  return h('div', { class: 'confusion' }, note, scroll('Confusion heatmap', table), list);
}

// reliability draws the reliability diagram of GET /models/{n}/reliability:
// per confidence bin, the share of questions answered right against the
// mean confidence; a calibrated model follows the diagonal.
export function reliability(rel) {
  const W = 320, P = 36, S = W - 2 * P;
  const x = (v) => P + v * S, y = (v) => W - P - v * S;
  const svg = s('svg', { viewBox: '0 0 ' + W + ' ' + W, class: 'reliability', role: 'img', 'aria-labelledby': 'rel-title rel-desc' },
    s('title', { id: 'rel-title', text: 'Reliability diagram' }),
    s('desc', { id: 'rel-desc', text: 'Accuracy against confidence in ' + rel.bins.length + ' bins over ' + rel.n + ' validation questions; expected calibration error ' + pct(rel.ece, 2) + '. The table below has the values.' }),
    s('rect', { x: P, y: P, width: S, height: S, class: 'frame' }),
    [0, 0.25, 0.5, 0.75, 1].map((t) => [
      s('line', { x1: x(t), y1: y(0), x2: x(t), y2: y(0) + 4, class: 'axis' }),
      s('text', { x: x(t), y: y(0) + 16, 'text-anchor': 'middle', text: String(t) }),
      s('line', { x1: x(0) - 4, y1: y(t), x2: x(0), y2: y(t), class: 'axis' }),
      s('text', { x: x(0) - 7, y: y(t) + 4, 'text-anchor': 'end', text: String(t) })]),
    s('line', { x1: x(0), y1: y(0), x2: x(1), y2: y(1), class: 'diagonal' }),
    rel.bins.filter((b) => b.count > 0).map((b) => s('rect', {
      x: x(b.lo) + 1, y: y(b.accuracy), width: Math.max(1, x(b.hi) - x(b.lo) - 2), height: y(0) - y(b.accuracy), class: 'bin',
    }, s('title', { text: '(' + b.lo.toFixed(2) + ', ' + b.hi.toFixed(2) + ']: ' + b.count + ' questions, confidence ' + pct(b.confidence) + ', accuracy ' + pct(b.accuracy) })),
    ),
    rel.bins.filter((b) => b.count > 0).map((b) => s('circle', { cx: x(b.confidence), cy: y(b.accuracy), r: 3, class: 'point' })),
    s('text', { x: W / 2, y: W - 4, 'text-anchor': 'middle', text: 'confidence' }),
    s('text', { x: 12, y: W / 2, 'text-anchor': 'middle', transform: 'rotate(-90 12 ' + W / 2 + ')', text: 'accuracy' }));
  const table = h('table', {},
    h('caption', { text: 'Reliability by confidence bin' }),
    h('thead', {}, h('tr', {}, ['Confidence bin', 'Questions', 'Mean confidence', 'Accuracy'].map((t, i) => h('th', { scope: 'col', class: i ? 'num' : null, text: t })))),
    h('tbody', {}, rel.bins.filter((b) => b.count > 0).map((b) => h('tr', {},
      h('td', { text: '(' + b.lo.toFixed(2) + ', ' + b.hi.toFixed(2) + ']' }), h('td', { class: 'num', text: String(b.count) }),
      h('td', { class: 'num', text: pct(b.confidence) }), h('td', { class: 'num', text: pct(b.accuracy) })))));
  return h('div', { class: 'chart' }, svg,
    h('p', {}, 'Expected calibration error ', h('strong', { text: pct(rel.ece, 2) }), ' over ' + rel.n + ' validation questions.'),
    h('details', {}, h('summary', { text: 'Values' }), scroll('Reliability values', table)));
}
