// The colour reference in the browser: the JS API's `reference` option in every input type, its
// colours reaching the result, bad references refused with their reason, a model without the
// reference input refusing one; and the page's reference drop target (thumbnail, remove).
// The guided model is a small untrained one whose reference branch starts at random
// (test-models/guided.bclz, written by scripts/test-browser.sh), so any reference changes its
// colours; the bundled model's quality with references is measured by `eval --reference`.
// CPU backend and small images: SwiftShader's WebGPU is slow (tests/web.rs compares backends).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { greyPng, useBrowser } from './harness.mjs';

const env = useBrowser();
const GUIDED = 'test-models/guided.bclz';

/** A page at the site's origin with the guided `colorizer` (CPU) and helpers on `window`. */
async function openApi() {
  const page = await env.browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${env.server.url}pkg/package.json`);
  await page.evaluate(async (guided) => {
    window.api = await import('/pkg/colorize.js');
    window.colorizer = await api.Colorizer.create({ backend: 'cpu', model: `/${guided}` });
    window.bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    window.failure = (promise) => promise.then(() => 'resolved', (e) => `${e.name}: ${e.message}`);
    /** A PNG of two colour bands. */
    window.bandsPng = async (top, bottom) => {
      const canvas = new OffscreenCanvas(48, 32);
      const context = canvas.getContext('2d');
      [[top, 0], [bottom, 16]].forEach(([colour, y]) => { context.fillStyle = colour; context.fillRect(0, y, 48, 16); });
      return new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
    };
    /** The largest difference between two results' pixels, in 8-bit levels. */
    window.step = (a, b) => a.data.reduce((m, v, i) => Math.max(m, Math.abs(v - b.data[i])), 0);
  }, GUIDED);
  return page;
}

const b64 = (buffer) => Buffer.from(buffer).toString('base64');

test('a reference changes the colours, in every input type, and bad ones are refused', async () => {
  const page = await openApi();
  const result = await page.evaluate(async (png) => {
    const grey = bytes(png);
    const warm = await bandsPng('#e0501e', '#c8a028');
    const cool = await bandsPng('#2050d0', '#30a0c0');
    const colour = (reference) => colorizer.colorize(grey, { size: 32, reference }).then((r) => r.imageData);
    const bitmap = await createImageBitmap(new Blob([warm]));
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    canvas.getContext('2d').drawImage(bitmap, 0, 0);
    const imageData = canvas.getContext('2d').getImageData(0, 0, bitmap.width, bitmap.height);
    const none = await colour(undefined);
    const warmBytes = await colour(warm);
    // The class probabilities at a point: they tell two references apart even where this
    // untrained model's 8-bit colours do not.
    const probe = async (reference) => (await colorizer.suggest(grey, { x: 10, y: 10, k: 4, size: 32, reference }))
      .map((s) => s.probability);
    const gap = (a, b) => Math.max(...a.map((p, i) => Math.abs(p - b[i])));
    const [warmProbe, coolProbe] = [await probe(warm), await probe(cool)];
    const out = {
      takes: colorizer.takesReference,
      warmVsNone: step(warmBytes, none),
      warmVsCool: gap(warmProbe, coolProbe),
      warmAgain: gap(await probe(new Blob([warm])), warmProbe),
      bitmap: step(await colour(bitmap), warmBytes),
      imageData: step(await colour(imageData), warmBytes),
      blob: step(await colour(new Blob([warm])), warmBytes),
      again: step(await colour(undefined), none),
    };
    const greyReference = await bandsPng('#777777', '#333333');
    await colour(cool); // the module holds a reference when the next one is refused
    out.grey = await failure(colour(greyReference));
    out.noneAfterRefusal = step(await colour(undefined), none);
    out.empty = await failure(colour(new Uint8Array(0)));
    out.text = await failure(colour(new TextEncoder().encode('not an image at all')));
    out.wrong = await failure(colour({ not: 'an image' }));
    out.after = step(await colour(warm), warmBytes);
    const automatic = await api.Colorizer.create({ backend: 'cpu', model: '/test-models/plain.bclz' });
    out.automaticTakes = automatic.takesReference;
    out.automatic = await failure(automatic.colorize(grey, { size: 32, reference: warm }));
    return out;
  }, b64(greyPng(40, 24)));
  assert.equal(result.takes, true, 'the guided model takes a reference');
  assert.ok(result.warmVsNone > 0, `a reference changes the colours (${result.warmVsNone} levels)`);
  assert.ok(result.warmVsCool > 0, 'two references, two predictions');
  assert.equal(result.warmAgain, 0, 'the same reference again (as a Blob), the same prediction');
  for (const kind of ['bitmap', 'imageData', 'blob']) {
    assert.ok(result[kind] <= 1, `${kind} reference differs from the bytes' by ${result[kind]} levels`);
  }
  assert.equal(result.again, 0, 'leaving the reference out colours as before');
  assert.match(result.grey, /^Error: the colour reference: a grey photo has no colours to lend/);
  assert.equal(result.noneAfterRefusal, 0, 'a refused reference leaves no reference behind');
  assert.match(result.empty, /^Error: the colour reference: .*empty/);
  assert.match(result.text, /^Error: the colour reference: .*not an image/);
  assert.match(result.wrong, /^TypeError: reference must be a Uint8Array/);
  assert.ok(result.after <= 1, 'after the refusals the colorizer still works');
  assert.equal(result.automaticTakes, false);
  assert.match(result.automatic, /^Error: this model takes no colour reference/);
  await page.close();
});

test('the page: choose a colour reference, see its thumbnail, remove it', async () => {
  const page = await env.browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${env.server.url}?size=32&backend=cpu&model=${GUIDED}`);
  await page.waitForFunction(() => document.body.dataset.backend, null, { timeout: 120_000 });
  assert.equal(await page.isVisible('#reference'), true, 'the guided model is offered a reference');
  const done = (n) => page.waitForFunction((n) => Number(document.body.dataset.done ?? 0) >= n, n, { timeout: 180_000 });
  const pixels = () => page.evaluate(() => {
    const canvas = document.getElementById('after');
    return Array.from(canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data);
  });
  const step = (a, b) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
  await page.setInputFiles('#file', { name: 'grey.png', mimeType: 'image/png', buffer: greyPng(40, 24) });
  await done(1);
  const before = await pixels();
  const sea = await page.evaluate(async () => {
    const canvas = new OffscreenCanvas(48, 32);
    const context = canvas.getContext('2d');
    context.fillStyle = '#2050d0';
    context.fillRect(0, 0, 48, 32);
    return btoa(String.fromCharCode(...new Uint8Array(await (await canvas.convertToBlob()).arrayBuffer())));
  });
  await page.setInputFiles('#reference-file', { name: 'sea.png', mimeType: 'image/png', buffer: Buffer.from(sea, 'base64') });
  await done(2);
  assert.equal(await page.isVisible('#reference-thumb'), true, 'a thumbnail of the reference');
  assert.equal(await page.textContent('#reference-name'), 'sea.png');
  assert.ok(step(await pixels(), before) > 0, 'the reference re-coloured the photo');
  await page.click('#reference-remove');
  await done(3);
  assert.equal(await page.isVisible('#reference-thumb'), false);
  assert.equal(step(await pixels(), before), 0, 'without the reference the colours come back');
  await page.close();

  // The reference target shows only when the model takes one: a model without the input, and
  // the bundled model (whichever it is).
  for (const [query, model] of [['&model=test-models/plain.bclz', '/test-models/plain.bclz'], ['', undefined]]) {
    const other = await env.browser.newPage();
    await other.goto(`${env.server.url}?size=32&backend=cpu${query}`);
    await other.waitForFunction(() => document.body.dataset.backend, null, { timeout: 120_000 });
    const takes = await other.evaluate(async (model) => (await (await import('/pkg/colorize.js')).Colorizer.create({ backend: 'cpu', model })).takesReference, model);
    if (model) assert.equal(takes, false, 'the plain model takes no reference');
    assert.equal(await other.isVisible('#reference'), takes, `${query || 'the bundled model'}`);
    await other.close();
  }
});
