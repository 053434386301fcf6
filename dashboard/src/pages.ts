import uPlot from 'uplot';
import { FunctionRow, Sample, TryAnswer, login, stream, tryIt } from './api';
import { el, fmt, ms } from './dom';

/** The instance states the dashboard shows, in this order (paused only where the platform has it). */
export const STATES = ['starting', 'ready', 'draining', 'paused'];

type Live = (s: string) => void;

export function loginPage(main: HTMLElement, onLogin: () => void): () => void {
  const input = el('input', { id: 'key', type: 'password', autocomplete: 'current-password', required: '' });
  const error = el('p', { id: 'login-error', class: 'error', role: 'alert' });
  const form = el('form', { 'aria-labelledby': 'login-title' },
    el('h1', { id: 'login-title' }, 'Log in to the Stoke dashboard'),
    el('label', { for: 'key' }, 'Metrics token (operator) or your API key'), input,
    el('button', { type: 'submit' }, 'Log in'), error);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    try { await login(input.value); input.value = ''; onLogin(); }
    catch (failure) { error.textContent = (failure as Error).message; input.focus(); }
  });
  main.replaceChildren(form);
  input.focus();
  return () => {};
}

function instancesCell(row: FunctionRow): HTMLElement {
  const cell = el('td', { class: 'instances' });
  for (const s of STATES) {
    if (s === 'paused' && !(s in row.instances)) continue;
    cell.append(el('span', { class: `badge ${s}`, 'data-state': s, title: s }, `${s} ${row.instances[s] ?? 0}`), ' ');
  }
  return cell;
}

export function functionsPage(main: HTMLElement, live: Live): () => void {
  const body = el('tbody');
  const headers = ['Function', 'Runtime', 'Mode', 'Version', 'State', 'Instances', 'Queue',
    'Requests/s', 'p50', 'p99', 'Requests', 'Cold starts', 'Errors'];
  const table = el('table', { id: 'functions' },
    el('caption', {}, 'Functions, live'),
    el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', { scope: 'col' }, h)))), body);
  main.replaceChildren(el('h1', {}, 'Functions'), table);
  return stream<{ functions: FunctionRow[] }>('functions', (view) => {
    body.replaceChildren(...view.functions.map((f) => el('tr', { 'data-function': f.name },
      el('th', { scope: 'row' }, el('a', { href: `#/function/${encodeURIComponent(f.name)}` }, f.name)),
      el('td', {}, f.runtime), el('td', {}, f.mode), el('td', {}, f.version),
      el('td', { class: `state ${f.state.toLowerCase()}`, 'data-field': 'state' }, f.state,
        f.error ? el('div', { class: 'error' }, f.error) : null),
      instancesCell(f), el('td', { 'data-field': 'pending' }, String(f.pending)),
      el('td', { 'data-field': 'rps' }, fmt(f.rps)), el('td', {}, ms(f.p50Ms)), el('td', {}, ms(f.p99Ms)),
      el('td', { 'data-field': 'requests' }, String(f.requests)),
      el('td', { 'data-field': 'coldStarts' }, String(f.coldStarts)),
      el('td', { 'data-field': 'errors' }, String(f.errors)))));
    if (view.functions.length === 0) {
      body.replaceChildren(el('tr', {}, el('td', { colspan: String(headers.length) }, 'No functions to show.')));
    }
  }, live);
}

interface FunctionView {
  function: FunctionRow; series: Sample[]; definition: Record<string, unknown>;
  events: { type: string; instanceId: string; reason: string; at: number }[];
  activations: { id: string; startedAt: number; durationMs: number; outcome: string; exitCode: number; logTail: string }[];
  gone?: boolean;
}

function chart(title: string, series: { label: string; stroke: string }[], host: HTMLElement): uPlot {
  const figure = el('figure', { class: 'chart', 'data-chart': title }, el('figcaption', {}, title));
  host.append(figure);
  return new uPlot({
    width: 460, height: 180, scales: { x: { time: true } },
    series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.stroke, width: 2, spanGaps: true }))],
    axes: [{ stroke: '#333' }, { stroke: '#333' }],
  }, [[], ...series.map(() => [])], figure);
}

export function functionPage(main: HTMLElement, name: string, live: Live): () => void {
  const summary = el('p', { id: 'summary' });
  const charts = el('div', { class: 'charts' });
  const definition = el('pre', { id: 'definition' });
  const events = el('ul', { id: 'events' });
  const activations = el('ul', { id: 'activations' });
  main.replaceChildren(el('h1', {}, `Function ${name}`), summary,
    el('h2', {}, 'Last minutes'), charts, el('h2', {}, 'Definition'), definition,
    el('h2', {}, 'Recent events'), events, el('h2', {}, 'Recent activations and logs'), activations);
  const rps = chart('Requests per second', [{ label: 'rps', stroke: '#0b5cad' }, { label: '5xx/s', stroke: '#b00020' }], charts);
  const latency = chart('Latency (ms)', [{ label: 'p50', stroke: '#0b5cad' }, { label: 'p99', stroke: '#8a4b00' }], charts);
  const instances = chart('Instances', STATES.map((s, i) => ({ label: s, stroke: ['#8a4b00', '#1b7a1b', '#555', '#6a3d9a'][i] })), charts);
  const queue = chart('Queue (held requests)', [{ label: 'queue', stroke: '#b00020' }, { label: 'in flight', stroke: '#0b5cad' }], charts);
  return stream<FunctionView>(`functions/${encodeURIComponent(name)}`, (view) => {
    if (view.gone) { summary.textContent = `${name} is no longer published.`; return; }
    const f = view.function;
    summary.textContent = `${f.state} · ${f.runtime} · ${f.mode} · version ${f.version} · ` +
      `${f.requests} requests, ${f.coldStarts} cold starts, ${f.errors} errors` + (f.error ? ` · ${f.error}` : '');
    const x = view.series.map((s) => s.at / 1000);
    rps.setData([x, view.series.map((s) => s.rps), view.series.map((s) => s.errorsPerSecond)]);
    latency.setData([x, view.series.map((s) => s.p50Ms), view.series.map((s) => s.p99Ms)] as uPlot.AlignedData);
    instances.setData([x, ...STATES.map((st) => view.series.map((s) => s.instances[st] ?? 0))]);
    queue.setData([x, view.series.map((s) => s.pending), view.series.map((s) => s.inflight)]);
    main.dataset.samples = String(view.series.length);
    definition.textContent = JSON.stringify(view.definition, null, 2);
    events.replaceChildren(...view.events.map((e) =>
      el('li', {}, `${new Date(e.at).toLocaleTimeString()} ${e.type} ${e.instanceId} ${e.reason}`)));
    if (view.activations.length === 0) activations.replaceChildren(el('li', {}, 'None (activations and their logs exist for exec-mode functions).'));
    else activations.replaceChildren(...view.activations.map((a) => el('li', {},
      `${new Date(a.startedAt).toLocaleTimeString()} ${a.id} ${a.outcome} exit ${a.exitCode} ${a.durationMs} ms`,
      a.logTail ? el('pre', { class: 'log' }, a.logTail) : null)));
  }, live);
}

export function tryPage(main: HTMLElement, preset: string, live: Live): () => void {
  const fn = el('select', { id: 'try-function' });
  const method = el('select', { id: 'try-method' }, ...['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'].map((m) => el('option', {}, m)));
  const path = el('input', { id: 'try-path', value: '/' });
  const headers = el('textarea', { id: 'try-headers', rows: '3', placeholder: 'Name: value, one a line' });
  const body = el('textarea', { id: 'try-body', rows: '4' });
  const status = el('p', { id: 'try-live', 'aria-live': 'polite' });
  const answer = el('pre', { id: 'try-answer', tabindex: '0' });
  const form = el('form', { class: 'try', 'aria-labelledby': 'try-title' },
    el('h1', { id: 'try-title' }, 'Try it'),
    el('label', { for: 'try-function' }, 'Function'), fn,
    el('label', { for: 'try-method' }, 'Method'), method,
    el('label', { for: 'try-path' }, 'Path (after the function name)'), path,
    el('label', { for: 'try-headers' }, 'Headers'), headers,
    el('label', { for: 'try-body' }, 'Body'), body,
    el('button', { type: 'submit', id: 'try-send' }, 'Send'));
  main.replaceChildren(form, status, el('h2', {}, 'Answer'), answer);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    answer.textContent = 'sending…';
    const h: Record<string, string> = {};
    for (const line of headers.value.split('\n')) {
      const i = line.indexOf(':');
      if (i > 0) h[line.slice(0, i).trim()] = line.slice(i + 1).trim();
    }
    try {
      const a: TryAnswer = await tryIt({ function: fn.value, method: method.value, path: path.value, headers: h, body: body.value });
      answer.dataset.status = String(a.status);
      answer.textContent = `HTTP ${a.status} in ${a.ms} ms\n` +
        Object.entries(a.headers).map(([k, v]) => `${k}: ${v}`).join('\n') + `\n\n${a.body}`;
    } catch (failure) { answer.textContent = (failure as Error).message; }
  });
  let chosen = preset;
  fn.addEventListener('change', () => { chosen = fn.value; });
  return stream<{ functions: FunctionRow[] }>('functions', (view) => {
    const names = view.functions.map((f) => f.name);
    if (fn.options.length !== names.length) {
      fn.replaceChildren(...names.map((n) => el('option', { value: n }, n)));
      if (names.includes(chosen)) fn.value = chosen; else chosen = fn.value;
    }
    const f = view.functions.find((r) => r.name === fn.value);
    if (f) {
      status.textContent = '';
      status.append(`${f.name}: ${f.state}, `, ...STATES.filter((s) => s in f.instances).map((s) =>
        el('span', { 'data-state': s }, `${s} ${f.instances[s]} `)),
        el('span', { 'data-field': 'requests' }, `requests ${f.requests}`), `, cold starts ${f.coldStarts}`);
    }
  }, live);
}

export function platformPage(main: HTMLElement, live: Live): () => void {
  const body = el('tbody');
  main.replaceChildren(el('h1', {}, 'Platform'), el('table', { id: 'platform' },
    el('caption', {}, 'Services, live'),
    el('thead', {}, el('tr', {}, ...['Service', 'Up', 'Latency', 'Detail'].map((h) => el('th', { scope: 'col' }, h)))), body));
  return stream<{ checks: { name: string; up: boolean; ms: number; detail: string }[] }>('platform', (view) => {
    body.replaceChildren(...view.checks.map((c) => el('tr', { 'data-service': c.name },
      el('th', { scope: 'row' }, c.name), el('td', { class: c.up ? 'up' : 'down' }, c.up ? 'up' : 'DOWN'),
      el('td', {}, `${c.ms} ms`), el('td', {}, el('code', {}, c.detail)))));
  }, live);
}
