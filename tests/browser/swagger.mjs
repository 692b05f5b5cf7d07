// Swagger UI in headless Chromium, driven as a person would: authorize with a bearer token,
// call GET /v1/me and POST /v1/quotes through "Try it out", and read the answers off the page.
// Run by scripts/browser-test.sh, or by hand:
//   CCM_BASE_URL=http://127.0.0.1:PORT [CCM_TOKEN=...] node swagger.mjs
// (without CCM_TOKEN it logs in as the demo org admin). The page is opened as ccm.test (Chromium
// maps it to 127.0.0.1), as a deployment is seen: Swagger UI treats loopback names specially
// (it skips its call to validator.swagger.io there). CCM_BROWSER_HOST=127.0.0.1 opens it by
// address.
import { chromium } from 'playwright-core';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const base = (process.env.CCM_BASE_URL || '').replace(/\/$/, '');
const host = process.env.CCM_BROWSER_HOST || 'ccm.test';
const pageBase = base.replace('127.0.0.1', host);
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const OVERALL_MS = 60_000;
const STEP_MS = 15_000;
const started = Date.now();
if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(base)) {
  console.error('CCM_BASE_URL must be http://127.0.0.1:PORT (the test server)');
  process.exit(2);
}

let page;
const requests = [];
const outside = [];
const pageErrors = [];

async function api(method, path, body, token) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(base + path, { method, headers, body: body && JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

// A request the demo data can price (the first centre that quotes supervised or supported
// contact), and the quote the API gives for it, to compare with what the page shows.
async function quoteRequest(token) {
  const providers = (await api('GET', '/v1/providers?limit=100', null, token)).items;
  for (const p of providers) {
    const centres = (await api('GET', `/v1/centres?provider=${p.id}&limit=100`, null, token)).items;
    for (const c of centres) {
      for (const service_type of ['supervised', 'supported']) {
        const body = { centre_id: c.id, service_type, referrer: 'self', sessions: 3, hours_per_session: 2 };
        const res = await fetch(base + '/v1/quotes', {
          method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
        });
        if (res.ok) return { body, expected: await res.json() };
      }
    }
  }
  throw new Error('no centre in the demo data gives a quote');
}

function check(ok, message) {
  if (!ok) throw new Error(message);
}

// The operation's block, found by what a reader sees: its method and its path.
function operation(method, path) {
  return page.locator(`.opblock.opblock-${method}:has(.opblock-summary-path[data-path="${path}"])`).first();
}

async function tryItOut(op) {
  await op.locator('.opblock-summary').first().click();
  await op.locator('button.try-out__btn').click();
  return op;
}

// Clicks Execute; returns what the UI shows and the request the page actually sent.
async function execute(op, method, path) {
  const sent = page.waitForRequest((r) => r.method() === method && r.url() === pageBase + path);
  await op.locator('button.execute').click();
  const status = op.locator('.live-responses-table .response .response-col_status');
  await status.waitFor();
  await status.scrollIntoViewIfNeeded();
  const body = op.locator('.live-responses-table .response .response-col_description .highlight-code');
  return {
    status: (await status.innerText()).trim(),
    body: (await body.count()) ? await body.innerText() : '',
    request: await sent,
  };
}

async function run() {
  const token = process.env.CCM_TOKEN || (await api('POST', '/v1/auth/token', {
    email: 'orgadmin@cl.example.org', password: 'demo-password-2026',
  })).access_token;
  const quote = await quoteRequest(token);

  // launch() gives Chromium a fresh temporary profile; the flags keep it from calling home.
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ...(host === '127.0.0.1' ? [] : [`--host-resolver-rules=MAP ${host} 127.0.0.1`])],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // Every request the page makes is recorded; one to anywhere but the test server is refused
    // (so nothing leaves the machine) and fails the test.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(pageBase + '/')) return route.continue();
      outside.push(url);
      return route.abort('blockedbyclient');
    });
    context.on('request', (r) => requests.push(`${r.method()} ${r.url()}`));
    page = await context.newPage();
    page.setDefaultTimeout(STEP_MS);
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && console.error(`console: ${m.text()}`));

    await page.goto(`${pageBase}/swagger-ui/`);
    const quotes = operation('post', '/v1/quotes');
    await quotes.waitFor();
    const method = (await quotes.locator('.opblock-summary-method').innerText()).trim();
    check(method === 'POST', `POST /v1/quotes shown as ${method}`);
    check(pageErrors.length === 0, `page errors:\n${pageErrors.join('\n')}`);

    await page.locator('.auth-wrapper button.authorize').click();
    const modal = page.locator('.modal-ux');
    await modal.locator('input[aria-label="auth-bearer-value"]').fill(token);
    await modal.locator('button.authorize[type="submit"]').click();
    await modal.locator('h6', { hasText: /^Authorized$/ }).waitFor();
    await modal.locator('button.btn-done').click();
    await modal.waitFor({ state: 'detached' });

    const me = await execute(await tryItOut(operation('get', '/v1/me')), 'GET', '/v1/me');
    check(me.request.headers().authorization === `Bearer ${token}`,
      'GET /v1/me did not send the token given to Authorize');
    check(me.status.startsWith('200'), `GET /v1/me showed ${me.status}, expected 200`);
    check(me.body.includes('orgadmin@cl.example.org'), `GET /v1/me body lacks the account: ${me.body}`);

    await tryItOut(quotes);
    await quotes.locator('textarea.body-param__text').fill(JSON.stringify(quote.body, null, 2));
    const shown = await execute(quotes, 'POST', '/v1/quotes');
    check(shown.status.startsWith('200'),
      `POST /v1/quotes showed ${shown.status}, expected 200: ${shown.body}`);
    check(shown.body.includes(`"total": "${quote.expected.total}"`),
      `POST /v1/quotes body lacks "total": "${quote.expected.total}": ${shown.body}`);

    check(pageErrors.length === 0, `page errors:\n${pageErrors.join('\n')}`);
    check(outside.length === 0, `requests outside ${pageBase}:\n${outside.join('\n')}`);
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`swagger ui: ok in ${secs} s (${requests.length} requests, all to ${pageBase};`
      + ` quote total ${quote.expected.total})`);
  } catch (e) {
    await keepEvidence(e);
    throw e;
  } finally {
    await browser.close();
  }
}

async function keepEvidence(e) {
  const dir = mkdtempSync(join(tmpdir(), 'ccm-swagger-'));
  writeFileSync(join(dir, 'error.txt'),
    `${e.stack || e}\n\npage errors:\n${pageErrors.join('\n')}\n\nrequests:\n${requests.join('\n')}\n`);
  if (page && !page.isClosed()) {
    // The viewport is where the last step scrolled to; the full page has everything else.
    await page.screenshot({ path: join(dir, 'view.png'), timeout: 10_000 }).catch(() => {});
    await page.screenshot({ path: join(dir, 'page.png'), fullPage: true, timeout: 10_000 }).catch(() => {});
    writeFileSync(join(dir, 'page.html'), await page.content().catch(() => ''));
  }
  console.error(`evidence (screenshot, HTML, requests): ${dir}`);
}

const timeout = setTimeout(async () => {
  const e = new Error(`timed out after ${OVERALL_MS / 1000} s`);
  await keepEvidence(e).catch(() => {});
  console.error(`swagger ui: FAILED: ${e.message}`);
  process.exit(1);
}, OVERALL_MS);

run().then(
  () => { clearTimeout(timeout); },
  (e) => { clearTimeout(timeout); console.error(`swagger ui: FAILED: ${e.message}`); process.exit(1); },
);
