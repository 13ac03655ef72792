/**
 * The API reference as a person meets it: Swagger UI at /docs in a real
 * (headless) Chromium, served from this host only, where a pasted token makes
 * a "try it" call that answers 200. The screenshot is kept in test/artifacts/.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { chromium, type BrowserContext } from 'playwright-core';
import { billingModule } from '../../modules/billing/index.ts';
import { operationsModule } from '../../modules/operations/index.ts';
import { tempDir } from '../helpers/databases.ts';
import { boot } from '../helpers/server.ts';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = 'test/artifacts/docs.png';
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

test('/docs in headless Chromium: loads without errors or off-host requests, lists Billing and Operations, and "try it" on GET /v1/publishers with a pasted token answers 200', async (t) => {
  if (!fs.existsSync(CHROMIUM)) {
    t.fail(
      `${CHROMIUM} is missing: install it with \`apt-get update && apt-get install -y chromium\` (Debian's package; the test never downloads a browser)`,
    );
    return;
  }
  const api = await boot(t, 'sqlite', { modules: [operationsModule, billingModule] });
  const ops = await api.token('ops');
  const seeded = await api.post('/v1/publishers', { name: 'Docs Page Studio', contactEmail: 'docs@studio.example', country: 'FI' }, ops);
  t.is(seeded.status, 201);

  const context: BrowserContext = await chromium.launchPersistentContext(tempDir(t, 'seams-chromium-'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 1000 },
  });
  t.teardown(() => context.close());
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  const offHost: string[] = [];
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('request', (request) => {
    if (!request.url().startsWith(api.url) && !request.url().startsWith('data:')) offHost.push(request.url());
  });

  const loaded = await page.goto(`${api.url}/docs`);
  t.is(loaded?.status(), 200);
  await page.locator('.opblock-tag-section').first().waitFor({ timeout: 20_000 });
  t.is(
    await page
      .locator('.information-container .title')
      .first()
      .innerText()
      .then((s) => s.split('\n')[0]!.trim()),
    'seams',
  );

  // Every module's tag, and operations of each, are listed.
  const tags = (await page.locator('.opblock-tag').allInnerTexts()).map((s) => s.split('\n')[0]!.trim());
  t.true(tags.includes('operations'), `tags: ${tags.join(', ')}`);
  t.true(tags.includes('billing'), `tags: ${tags.join(', ')}`);
  const paths = await page.locator('.opblock-summary-path').allInnerTexts();
  const clean = paths.map((p) => p.replace(/\u200b/g, '').trim());
  for (const expected of [
    '/v1/publishers',
    '/v1/publishers/{id}/earnings',
    '/v1/delivery-reports',
    '/v1/invoices',
    '/v1/invoice-runs',
    '/v1/billing-accounts/{publisherId}',
  ]) {
    t.true(clean.includes(expected), `${expected} listed (got ${clean.length} paths)`);
  }
  await t.notThrowsAsync(
    page.locator('#operations-billing-getInvoice').waitFor({ state: 'visible', timeout: 5_000 }),
    'a Billing operation is visible',
  );

  // Authorize: paste the token into the bearer field of the Authorize dialog.
  await page.locator('.auth-wrapper .btn.authorize').click();
  const bearer = page.locator('.modal-ux input[aria-label="auth-bearer-value"]');
  await bearer.fill(ops);
  await page.locator('.modal-ux .modal-btn.auth.authorize').click();
  await page.locator('.modal-ux .btn-done').click();
  await page.locator('.modal-ux').waitFor({ state: 'detached' });

  // Try it: expand GET /v1/publishers, "Try it out" (already on when tryItOutEnabled), Execute.
  const operation = page.locator('#operations-operations-listPublishers');
  await operation.locator('.opblock-summary').first().click();
  const tryOut = operation.locator('.try-out__btn');
  if ((await tryOut.innerText()).trim() === 'Try it out') await tryOut.click();
  const answered = page.waitForResponse((res) => new URL(res.url()).pathname === '/v1/publishers' && res.request().method() === 'GET');
  await operation.locator('.btn.execute').click();
  const response = await answered;
  t.is(response.status(), 200);
  t.is(response.request().headers().authorization, `Bearer ${ops}`, 'the pasted token is sent');

  const status = operation.locator('.live-responses-table .response .response-col_status').first();
  await status.waitFor({ timeout: 10_000 });
  t.is((await status.innerText()).trim(), '200', 'the rendered response shows 200');
  const body =
    (await operation.locator('.live-responses-table .response .response-col_description pre.microlight').first().textContent()) ?? '';
  t.true(body.includes('Docs Page Studio'), 'the rendered body shows the seeded publisher');

  await operation.scrollIntoViewIfNeeded();
  fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: false });
  t.log(`screenshot: ${SCREENSHOT}`);

  t.deepEqual(errors, [], 'no console errors or page errors');
  t.deepEqual(offHost, [], 'every request stays on this host (no CDN)');
});
