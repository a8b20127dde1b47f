// The served page in headless Chromium: upload, paste, drag and drop, errors, offline use,
// no requests to other origins, forced CPU backend, and the pkg/ README example.
// Images are small and the working size is 64 (?size=64): SwiftShader's WebGPU is slow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { colourfulnessInPage, greyPng, pngSize, ROOT, useBrowser } from './harness.mjs';

const env = useBrowser();

/** A fresh page that records every request it makes. */
async function openPage(query = '') {
  const context = await env.browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${env.server.url}?size=64${query}`);
  await page.waitForFunction(() => document.body.dataset.backend, null, { timeout: 120_000 });
  return { context, page, requests };
}

const done = (page, n) => page.waitForFunction((n) => Number(document.body.dataset.done ?? 0) >= n, n, { timeout: 180_000 });

test('upload a grey photo, get a colour PNG of the same size, on WebGPU, all from 127.0.0.1', async () => {
  const { context, page, requests } = await openPage('&backend=webgpu');
  assert.equal(await page.evaluate(() => document.body.dataset.backend), 'webgpu');
  const png = greyPng(48, 32);
  await page.setInputFiles('#file', { name: 'grey.png', mimeType: 'image/png', buffer: png });
  await done(page, 1);
  assert.match(await page.textContent('#status'), /Done: 48×32 .* on WebGPU/);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  assert.equal(download.suggestedFilename(), 'grey-colour.png');
  const bytes = readFileSync(await download.path());
  assert.deepEqual(pngSize(bytes), { width: 48, height: 32 });
  assert.ok(await colourfulnessInPage(page, bytes) > 1, 'the download has colour');
  const foreign = requests.filter((url) => !url.startsWith(env.server.url) && !url.startsWith('blob:') && !url.startsWith('data:'));
  assert.deepEqual(foreign, [], 'no request leaves 127.0.0.1');
  await context.close();
});

test("the page's default ('auto') passes over SwiftShader's software WebGPU for the CPU path", async () => {
  const { context, page } = await openPage();
  const adapter = await page.evaluate(async () => {
    const { isSoftwareAdapter, webgpuAvailable } = await import('/pkg/colorize.js');
    return { available: await webgpuAvailable(), software: isSoftwareAdapter(await navigator.gpu.requestAdapter()) };
  });
  assert.deepEqual(adapter, { available: true, software: true }, 'this Chromium offers WebGPU on SwiftShader');
  assert.equal(await page.evaluate(() => document.body.dataset.backend), 'cpu');
  assert.match(await page.textContent('#backend-info'), /running on the CPU/);
  // A hardware adapter (its info as a graphics card reports it) is not taken for a software one.
  const hardware = await page.evaluate(async () => (await import('/pkg/colorize.js')).isSoftwareAdapter({
    isFallbackAdapter: false, info: { vendor: 'nvidia', architecture: 'ada', device: '', description: 'NVIDIA GeForce RTX 4070' },
  }));
  assert.equal(hardware, false);
  await context.close();
});

test('paste and drag-and-drop both colorize', async () => {
  const { context, page } = await openPage();
  const b64 = greyPng(40, 24).toString('base64');
  await page.evaluate((b64) => {
    const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([data], 'pasted.png', { type: 'image/png' }));
    document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer }));
  }, b64);
  await done(page, 1);
  await page.evaluate((b64) => {
    const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([data], 'dropped.png', { type: 'image/png' }));
    document.getElementById('drop').dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true }));
  }, b64);
  await done(page, 2);
  assert.equal(await page.getAttribute('#download', 'download'), 'dropped-colour.png');
  await context.close();
});

test('a corrupt file shows an error and the next file still works', async () => {
  const { context, page } = await openPage();
  await page.setInputFiles('#file', { name: 'broken.png', mimeType: 'image/png', buffer: Buffer.from('not an image at all') });
  await page.waitForFunction(() => document.body.dataset.failed === '1', null, { timeout: 60_000 });
  assert.match(await page.textContent('#error'), /broken\.png: .*not an image/);
  await page.setInputFiles('#file', { name: 'good.png', mimeType: 'image/png', buffer: greyPng(16, 16) });
  await done(page, 1);
  assert.equal(await page.isHidden('#error'), true);
  await context.close();
});

test('forced CPU backend works', async () => {
  const { context, page } = await openPage('&backend=cpu');
  assert.equal(await page.evaluate(() => document.body.dataset.backend), 'cpu');
  await page.setInputFiles('#file', { name: 'cpu.png', mimeType: 'image/png', buffer: greyPng(30, 20) });
  await done(page, 1);
  assert.match(await page.textContent('#status'), /on the CPU/);
  await context.close();
});

test('works offline after the first visit', async () => {
  const { context, page } = await openPage('&backend=cpu');
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    // Wait until the service worker has cached everything it installs.
    for (let i = 0; i < 100 && !(await caches.keys()).length; i++) await new Promise((r) => setTimeout(r, 100));
  });
  await context.setOffline(true);
  await page.reload();
  await page.waitForFunction(() => document.body.dataset.backend, null, { timeout: 120_000 });
  await page.setInputFiles('#file', { name: 'offline.png', mimeType: 'image/png', buffer: greyPng(20, 20) });
  await done(page, 1);
  await context.close();
});

test('the README example of pkg/ runs as written', async () => {
  const readme = readFileSync(`${ROOT}/pkg/README.md`, 'utf8');
  const example = /```html\n([\s\S]*?)```/.exec(readme)[1];
  const context = await env.browser.newContext();
  const page = await context.newPage();
  // Without navigator.gpu (as in browsers without WebGPU) 'auto' must fall back to the CPU;
  // that also keeps this example fast here.
  await page.addInitScript(() => { delete Navigator.prototype.gpu; });
  await page.route(`${env.server.url}example.html`, (route) => route.fulfill({
    contentType: 'text/html',
    body: `<!doctype html><meta charset="utf-8"><body>${example}</body>`,
  }));
  await page.goto(`${env.server.url}example.html`);
  // The example wires up the input once its colorizer exists.
  await page.waitForFunction(() => document.querySelector('input').onchange !== null, null, { timeout: 120_000 });
  await page.setInputFiles('input', { name: 'example.png', mimeType: 'image/png', buffer: greyPng(24, 16) });
  await page.waitForFunction(() => document.querySelector('canvas').width === 24, null, { timeout: 180_000 });
  const chroma = await page.evaluate(() => {
    const canvas = document.querySelector('canvas');
    const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let sum = 0;
    for (let i = 0; i < px.length; i += 4) sum += Math.abs(px[i] - px[i + 1]) + Math.abs(px[i + 1] - px[i + 2]);
    return sum / (px.length / 4);
  });
  assert.ok(chroma > 1, `the example drew a colour image (chroma ${chroma})`);
  await context.close();
});
