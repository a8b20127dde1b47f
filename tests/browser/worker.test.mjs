// WorkerColorizer (burn-colorize/worker), unbundled: a 12 MP photo coloured on the CPU path
// without blocking the page (long-task observer; the same photo on the page's thread is the
// control that shows the observer sees blocking), the rest of the API through the worker, and
// errors that arrive as the same kinds as on the page's thread.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { greyPng, useBrowser } from './harness.mjs';

const env = useBrowser();

async function openApi() {
  const page = await env.browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  // A page at the site's root, one folder above the worker's script (pkg/): relative model URLs
  // must resolve against the page.
  await page.goto(`${env.server.url}style.css`);
  await page.evaluate(async () => {
    window.api = { ...(await import('/pkg/colorize.js')), ...(await import('/pkg/worker.js')) };
  });
  return page;
}

test('worker mode: a 12 MP photo is coloured on the CPU path without a long task on the page', async () => {
  const page = await openApi();
  const run = (kind) => page.evaluate(async (kind) => {
    // A grey 4000x3000 JPEG, made before the observer starts.
    const canvas = new OffscreenCanvas(4000, 3000);
    const context = canvas.getContext('2d');
    const gradient = context.createLinearGradient(0, 0, 4000, 3000);
    gradient.addColorStop(0, '#202020');
    gradient.addColorStop(1, '#e0e0e0');
    context.fillStyle = gradient;
    context.fillRect(0, 0, 4000, 3000);
    const photo = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
    const colorizer = await (kind === 'worker' ? api.WorkerColorizer : api.Colorizer).create({ backend: 'cpu' });
    const tasks = [];
    const observer = new PerformanceObserver((list) => tasks.push(...list.getEntries().map((e) => e.duration)));
    observer.observe({ type: 'longtask' });
    const start = performance.now();
    const result = await colorizer.colorize(photo, { size: 128 });
    const seconds = (performance.now() - start) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 200)); // the observer reports after the task
    observer.disconnect();
    await colorizer.dispose();
    return { size: `${result.width}x${result.height}`, seconds, longest: Math.max(0, ...tasks) };
  }, kind);
  const worker = await run('worker');
  const onPage = await run('page');
  console.log(`12 MP on the CPU path: worker ${worker.seconds.toFixed(1)} s, longest task on the page `
    + `${worker.longest.toFixed(0)} ms; page's thread ${onPage.seconds.toFixed(1)} s, longest ${onPage.longest.toFixed(0)} ms`);
  assert.equal(worker.size, '4000x3000');
  assert.ok(onPage.longest > 50, `control: colouring on the page's thread blocks it (${onPage.longest} ms)`);
  assert.ok(worker.longest <= 50, `worker mode blocked the page for ${worker.longest} ms`);
  await page.close();
});

test('worker mode: a model by URL, suggestions, drawables, a reference, and errors of the same kinds as on the page', async () => {
  const page = await openApi();
  const png = Buffer.from(greyPng(40, 24)).toString('base64');
  const result = await page.evaluate(async (png) => {
    const photo = Uint8Array.from(atob(png), (c) => c.charCodeAt(0));
    // The browser tests' small model with the colour-reference input (scripts/test-browser.sh).
    const colorizer = await api.WorkerColorizer.create({ backend: 'cpu', model: 'test-models/guided.bclz' });
    const caught = (promise) => promise.then(() => 'resolved', (e) => `${e.constructor.name}: ${e.message}`);
    const suggestions = await colorizer.suggest(photo, { x: 20, y: 12, k: 3 });
    const bitmap = await createImageBitmap(new Blob([photo], { type: 'image/png' }));
    const fromBitmap = await colorizer.colorize(bitmap, { size: 32 });
    const canvas = document.createElement('canvas');
    [canvas.width, canvas.height] = [30, 20];
    const red = document.createElement('canvas');
    [red.width, red.height] = [16, 16];
    red.getContext('2d').fillStyle = '#c02020';
    red.getContext('2d').fillRect(0, 0, 16, 16);
    const withReference = await colorizer.colorize(photo, { size: 32, reference: red });
    const fromCanvas = await colorizer.colorize(canvas, { size: 32, png: true });
    return {
      suggestions: suggestions.length, probability: suggestions[0].probability > 0,
      bitmap: `${fromBitmap.width}x${fromBitmap.height}`, canvas: `${fromCanvas.width}x${fromCanvas.height}`,
      png: fromCanvas.png instanceof Uint8Array && fromCanvas.png[1] === 0x50,
      number: await caught(colorizer.colorize(42)),
      garbage: await caught(colorizer.colorize(new Uint8Array([1, 2, 3]))),
      withReference: `${withReference.width}x${withReference.height}`,
      greyReference: await caught(colorizer.colorize(photo, { reference: photo })),
      noPoint: await caught(colorizer.suggest(photo)),
      takesReference: colorizer.takesReference,
    };
  }, png);
  assert.deepEqual({ ...result, garbage: undefined }, {
    suggestions: 3, probability: true, bitmap: '40x24', canvas: '30x20', png: true,
    number: 'TypeError: input must be a Uint8Array, ArrayBuffer, Blob/File, ImageData, ImageBitmap, HTMLImageElement, HTMLCanvasElement or OffscreenCanvas',
    garbage: undefined, withReference: '40x24',
    greyReference: 'Error: the colour reference: a grey photo has no colours to lend: give a colour photo as the reference',
    noPoint: 'TypeError: suggest needs options with {x, y} in image pixels', takesReference: true,
  });
  assert.match(result.garbage, /^Error: .*not .*image/i);
  await page.close();
});
