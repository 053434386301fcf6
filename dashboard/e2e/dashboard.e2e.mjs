// End-to-end test of the dashboard in real headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core). Run by system-tests' DashboardIT against a real platform, in two phases:
//   PHASE=operator  login page, wrong key refused, functions page with hello at zero, try it on
//                   hello, instances rise to 1 and the request counter moves without a reload,
//                   the function page draws its charts, hello goes back to zero after its idle timeout
//   PHASE=user      a user's key shows only that user's functions (USER_FUNCTION), under its own name
// Settings from the environment: BASE_URL, TOKEN, USER_KEY, USER_FUNCTION, OUT_DIR, CHROMIUM.
import { chromium } from 'playwright-core';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const base = env('BASE_URL');
const out = env('OUT_DIR');
const phase = env('PHASE');
mkdirSync(out, { recursive: true });
const step = (text) => console.log(`[dashboard e2e] ${new Date().toISOString()} ${text}`);
const check = (condition, message) => { if (!condition) throw new Error(message); };

const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'stoke-chromium-')), {
  executablePath: env('CHROMIUM', '/usr/bin/chromium'),
  headless: true,
  viewport: { width: 1366, height: 820 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = context.pages()[0] ?? (await context.newPage());
page.setDefaultTimeout(60_000);
const shot = (name) => page.screenshot({ path: join(out, `${name}.png`), fullPage: true });
const cell = (fn, field) => page.locator(`#functions tr[data-function="${fn}"] [data-field="${field}"]`);
const badge = (fn, state) => page.locator(`#functions tr[data-function="${fn}"] [data-state="${state}"]`);
const login = async (key) => {
  await page.fill('#key', key);
  await page.press('#key', 'Enter');
};

try {
  step('no key: the login page');
  await page.goto(`${base}/ui/`);
  await page.getByLabel('Metrics token (operator) or your API key').waitFor();
  const api = await page.request.get(`${base}/ui/api/stream/functions`);
  check(api.status() === 401, `the stream without a key answered ${api.status()}, not 401`);
  await shot('01-login');

  step('a wrong key is refused');
  await login('stk_wrong_key');
  await page.locator('#login-error').filter({ hasText: 'wrong key' }).waitFor();
  await shot('02-wrong-key');
  const wrong = await page.request.get(`${base}/ui/api/session`, { headers: { Authorization: 'Bearer nope' } });
  check(wrong.status() === 401, `a wrong bearer key answered ${wrong.status()}, not 401`);

  if (phase === 'operator') {
    await operator();
  } else {
    await user();
  }
} finally {
  await context.close();
}

async function operator() {
  step('operator: the functions page shows hello at zero instances');
  await login(env('TOKEN'));
  await page.locator('#functions tr[data-function="hello"]').waitFor();
  await badge('hello', 'ready').filter({ hasText: /^ready 0$/ }).waitFor();
  await cell('hello', 'state').filter({ hasText: 'IDLE' }).waitFor();
  const before = Number(await cell('hello', 'requests').textContent());
  await page.evaluate(() => { window.__sameDocument = true; });
  await shot('03-functions-idle');

  step('try it on hello');
  await page.getByRole('link', { name: 'Try it' }).click();
  await page.getByLabel('Function', { exact: true }).selectOption('hello');
  await page.getByLabel('Path (after the function name)').fill('/');
  await page.getByRole('button', { name: 'Send' }).click();
  const answer = page.locator('#try-answer[data-status="200"]');
  await answer.waitFor();
  check((await answer.textContent()).toLowerCase().includes('x-stoke-'), 'the answer shows no X-Stoke- header');
  await page.locator('#try-live [data-state="ready"]').filter({ hasText: /^ready 1 ?$/ }).waitFor();
  await shot('04-try-it');

  step('the functions page shows one ready instance and the request, without a reload');
  await page.getByRole('link', { name: 'Functions' }).click();
  await badge('hello', 'ready').filter({ hasText: /^ready 1$/ }).waitFor();
  await page.waitForFunction((n) => {
    const c = document.querySelector('#functions tr[data-function="hello"] [data-field="requests"]');
    return c && Number(c.textContent) > n;
  }, before);
  check(await page.evaluate(() => window.__sameDocument === true), 'the page was reloaded');
  await shot('05-functions-ready');

  step('the function page draws its charts');
  await page.getByRole('link', { name: 'hello', exact: true }).click();
  await page.waitForFunction(() => Number(document.querySelector('main')?.dataset.samples ?? 0) >= 3);
  const drawn = await page.evaluate(() => [...document.querySelectorAll('figure.chart')].map((figure) => {
    const canvas = figure.querySelector('canvas');
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) painted++;
    return { chart: figure.dataset.chart, painted };
  }));
  step(`charts: ${JSON.stringify(drawn)}`);
  check(drawn.length === 4 && drawn.every((c) => c.painted > 0), `charts not drawn: ${JSON.stringify(drawn)}`);
  await shot('06-function');

  step('hello goes back to zero after its idle timeout');
  await page.getByRole('link', { name: 'Functions' }).click();
  await badge('hello', 'ready').filter({ hasText: /^ready 0$/ }).waitFor({ timeout: 120_000 });
  check(await page.evaluate(() => window.__sameDocument === true), 'the page was reloaded');
  await shot('07-functions-back-to-zero');

  step('platform page');
  await page.getByRole('link', { name: 'Platform' }).click();
  await page.locator('#platform tr[data-service="redis"] .up').waitFor();
  await shot('08-platform');
}

async function user() {
  const own = env('USER_FUNCTION');
  step(`user: only ${own} is listed`);
  await login(env('USER_KEY'));
  await page.locator(`#functions tr[data-function="${own}"]`).waitFor();
  const names = await page.locator('#functions tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.function));
  check(names.length === 1 && names[0] === own, `the user sees ${JSON.stringify(names)}, not only ${own}`);
  await shot('09-user-functions');
  const other = await page.request.get(`${base}/ui/api/stream/functions/hello`);
  check(other.status() === 404, `another's function answered ${other.status()} to the user, not 404`);
}
step('passed');
