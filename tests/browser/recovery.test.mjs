// Failures in the middle of a session: the WebGPU device destroyed under a colorizer, the
// WebAssembly instance trapping (test switch `__burnColorizeTestTrap`, src/web.rs), and the
// page's worker dying with a request in flight. Each ends with a correct colour image, and
// the colorizer (or the page) says it moved to the CPU or restarted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { greyPng, useBrowser } from './harness.mjs';

const env = useBrowser();
const b64 = (buffer) => Buffer.from(buffer).toString('base64');

/** A page at the site's origin that records console warnings and keeps every GPUDevice made. */
async function openApi() {
  const page = await env.browser.newPage();
  const warnings = [];
  page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${env.server.url}pkg/package.json`);
  await page.evaluate(async () => {
    window.devices = [];
    const requestDevice = GPUAdapter.prototype.requestDevice;
    GPUAdapter.prototype.requestDevice = async function (...args) {
      const device = await requestDevice.apply(this, args);
      window.devices.push(device);
      return device;
    };
    window.api = await import('/pkg/colorize.js');
    window.bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    /** The largest difference, in levels, between two colorize results. */
    window.worst = (a, b) => a.imageData.data.reduce((m, v, i) => Math.max(m, Math.abs(v - b.imageData.data[i])), 0);
  });
  return { page, warnings };
}

/** Colour a photo on WebGPU, break things with `breakIt`, colour it again; what came out. */
async function breakMidSession(page, breakIt) {
  return page.evaluate(async ({ png, breakIt }) => {
    const photo = bytes(png);
    const colorizer = await api.Colorizer.create({ backend: 'webgpu' });
    const before = colorizer.backend;
    await colorizer.colorize(photo, { size: 32 });
    new Function(breakIt)();
    const after = await colorizer.colorize(photo, { size: 32 });
    const reference = await (await api.Colorizer.create({ backend: 'cpu' })).colorize(photo, { size: 32 });
    const again = await colorizer.colorize(photo, { size: 32, saturation: 1.5 });
    return { before, backend: colorizer.backend, resultBackend: after.backend, worst: worst(after, reference), again: again.width };
  }, { png: b64(greyPng(40, 24)), breakIt });
}

test('a WebGPU device destroyed mid-session: the call completes on the CPU and says so', async () => {
  const { page, warnings } = await openApi();
  const result = await breakMidSession(page, 'for (const device of window.devices) device.destroy();');
  assert.equal(result.before, 'webgpu');
  assert.equal(result.backend, 'cpu');
  assert.equal(result.resultBackend, 'cpu');
  assert.ok(result.worst <= 3, `differs from a CPU colorizer by ${result.worst} levels`);
  assert.equal(result.again, 40, 'and it keeps working');
  assert.ok(warnings.some((w) => /burn-colorize|WebGPU failed|stopped/.test(w)), `a warning says so: ${warnings}`);
  await page.close();
});

test('a trap in the WebAssembly module: a fresh instance on the CPU re-runs the call', async () => {
  const { page, warnings } = await openApi();
  const result = await breakMidSession(page, 'globalThis.__burnColorizeTestTrap = true;');
  assert.equal(result.before, 'webgpu');
  assert.equal(result.backend, 'cpu');
  assert.ok(result.worst <= 3, `differs from a CPU colorizer by ${result.worst} levels`);
  assert.equal(result.again, 40);
  assert.ok(warnings.some((w) => /the WebAssembly module stopped .*unreachable.*continuing on the CPU/.test(w)), `${warnings}`);
  await page.close();
});

test('a trap also moves an idle colorizer that shared the instance', async () => {
  const { page, warnings } = await openApi();
  const result = await page.evaluate(async (png) => {
    const photo = bytes(png);
    const [busy, idle] = [await api.Colorizer.create({ backend: 'cpu' }), await api.Colorizer.create({ backend: 'cpu' })];
    globalThis.__burnColorizeTestTrap = true;
    await busy.colorize(photo, { size: 32 });
    const after = await idle.colorize(photo, { size: 32 });
    return { width: after.width, backend: idle.backend };
  }, b64(greyPng(40, 24)));
  assert.deepEqual(result, { width: 40, backend: 'cpu' });
  assert.ok(warnings.some((w) => /stopped under another call/.test(w)), `${warnings}`);
  await page.close();
});

/** The page with its worker up, on WebGPU (asked for: 'auto' passes over SwiftShader), working size 64. */
async function openPage() {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  const worker = page.waitForEvent('worker');
  await page.goto(`${env.server.url}?size=64&backend=webgpu`);
  await page.waitForFunction(() => document.body.dataset.backend, null, { timeout: 120_000 });
  return { context, page, worker: await worker };
}

const shown = (page, n) => page.waitForFunction((n) => Number(document.body.dataset.shown ?? 0) >= n, n, { timeout: 180_000 });

test('the page: a trap in its worker ends in colour on the CPU, and the label says so', async () => {
  const { context, page, worker } = await openPage();
  assert.equal(await page.evaluate(() => document.body.dataset.backend), 'webgpu');
  await worker.evaluate(() => { self.__burnColorizeTestTrap = true; });
  await page.setInputFiles('#file', { name: 'grey.png', mimeType: 'image/png', buffer: greyPng(48, 32) });
  await shown(page, 1);
  assert.match(await page.textContent('#status'), /Done: 48×32 .* on the CPU/);
  assert.match(await page.textContent('#backend-info'), /running on the CPU/);
  assert.equal(await page.evaluate(() => document.body.dataset.backend), 'cpu');
  await context.close();
});

test('the page: its worker dies with a request in flight; a new one finishes it', async () => {
  const { context, page, worker } = await openPage();
  // The next colorize request starts, then the worker dies with an uncaught error.
  await worker.evaluate(() => {
    const handle = self.onmessage;
    self.onmessage = (event) => {
      if (event.data.type === 'colorize') setTimeout(() => { throw new Error('worker crashed (test)'); }, 0);
      return handle(event);
    };
  });
  await page.setInputFiles('#file', { name: 'grey.png', mimeType: 'image/png', buffer: greyPng(48, 32) });
  await shown(page, 1);
  assert.equal(await page.evaluate(() => document.body.dataset.restarts), '1');
  assert.match(await page.textContent('#status'), /Done: 48×32 /);
  assert.equal(await page.isHidden('#error'), true);
  // And the new worker takes the next photo.
  await page.setInputFiles('#file', { name: 'next.png', mimeType: 'image/png', buffer: greyPng(40, 24) });
  await shown(page, 2);
  assert.match(await page.textContent('#status'), /Done: 40×24 /);
  await context.close();
});
