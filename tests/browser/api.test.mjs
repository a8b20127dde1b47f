// The JavaScript API of pkg/ as an embedder uses it, on the CPU backend (SwiftShader's WebGPU is
// slow; tests/web.rs covers WebGPU): every input type the browser has, EXIF orientation from the
// browser's decoder, decompression bombs refused before decoding, encoding through the browser,
// AbortSignal, onProgress and dispose.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { chunk, greyPng, pngHeader, useBrowser } from './harness.mjs';

const env = useBrowser();

/** A page at the site's origin with `colorizer` (CPU) and helpers on `window`. */
async function openApi() {
  const page = await env.browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${env.server.url}pkg/package.json`);
  await page.evaluate(async () => {
    const api = await import('/pkg/colorize.js');
    window.api = api;
    window.colorizer = await api.Colorizer.create({ backend: 'cpu' });
    window.bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    /** What a rejected promise said: its name and message. */
    window.failure = (promise) => promise.then(() => 'resolved', (e) => `${e.name}: ${e.message}`);
  });
  return page;
}

const b64 = (buffer) => Buffer.from(buffer).toString('base64');

/** A real decompression bomb: a `side`×`side` black PNG whose data deflates to almost nothing. */
function bombPng(side) {
  const rows = Buffer.alloc(side * (side + 1)); // per row: filter byte 0, then `side` black pixels
  return Buffer.concat([pngHeader(side, side), chunk('IDAT', deflateSync(rows, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

test('every input type colours to the same picture', async () => {
  const page = await openApi();
  const result = await page.evaluate(async (png) => {
    const file = bytes(png);
    const bitmap = await createImageBitmap(new Blob([file]));
    const canvas = document.createElement('canvas');
    [canvas.width, canvas.height] = [bitmap.width, bitmap.height];
    canvas.getContext('2d').drawImage(bitmap, 0, 0);
    const offscreen = new OffscreenCanvas(bitmap.width, bitmap.height);
    offscreen.getContext('2d').drawImage(bitmap, 0, 0);
    const img = new Image();
    img.src = URL.createObjectURL(new Blob([file], { type: 'image/png' }));
    const inputs = {
      Uint8Array: file, ArrayBuffer: file.slice().buffer, Blob: new Blob([file]),
      ImageData: canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height),
      ImageBitmap: bitmap, HTMLImageElement: img, HTMLCanvasElement: canvas, OffscreenCanvas: offscreen,
    };
    const out = {};
    for (const [name, input] of Object.entries(inputs)) {
      const { imageData } = await colorizer.colorize(input, { size: 32 });
      out[name] = { size: `${imageData.width}x${imageData.height}`, pixels: Array.from(imageData.data) };
    }
    out.wrong = await failure(colorizer.colorize({ not: 'an image' }));
    return out;
  }, b64(greyPng(40, 24)));
  assert.match(result.wrong, /TypeError: input must be a Uint8Array, .*ImageBitmap/);
  delete result.wrong;
  const reference = result.Uint8Array.pixels;
  for (const [name, { size, pixels }] of Object.entries(result)) {
    assert.equal(size, '40x24', name);
    const worst = pixels.reduce((m, v, i) => Math.max(m, Math.abs(v - reference[i])), 0);
    assert.ok(worst <= 1, `${name} differs from the bytes' result by ${worst} levels`);
  }
  await page.close();
});

test('EXIF orientation is applied by the browser decoder', async () => {
  const page = await openApi();
  const size = await page.evaluate(async () => {
    const canvas = new OffscreenCanvas(48, 24);
    const context = canvas.getContext('2d');
    context.fillStyle = '#777';
    context.fillRect(0, 0, 48, 24);
    const jpeg = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/jpeg' })).arrayBuffer());
    // APP1 Exif, big-endian TIFF, one IFD entry: Orientation (0x0112) = 6 (rotate 90° clockwise).
    const exif = [0xff, 0xe1, 0x00, 0x22, 0x45, 0x78, 0x69, 0x66, 0x00, 0x00, 0x4d, 0x4d, 0x00, 0x2a, 0x00, 0x00,
      0x00, 0x08, 0x00, 0x01, 0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00];
    const rotated = new Uint8Array([...jpeg.subarray(0, 2), ...exif, ...jpeg.subarray(2)]);
    const { width, height } = await colorizer.colorize(rotated, { size: 32 });
    return `${width}x${height}`;
  });
  assert.equal(size, '24x48', 'a 48×24 JPEG with orientation 6 comes out 24×48');
  await page.close();
});

test('decompression bombs are refused from their header and the tab goes on', async () => {
  const page = await openApi();
  const answers = await page.evaluate(async ([header, bomb, small]) => ({
    header: await failure(colorizer.colorize(bytes(header))),
    bomb: await failure(colorizer.colorize(new Blob([bytes(bomb)]))),
    limit: await failure(colorizer.colorize(bytes(small), { maxMegapixels: 0.0001 })),
    after: (await colorizer.colorize(bytes(small), { size: 32 })).width,
  }), [b64(pngHeader(100_000, 100_000)), b64(bombPng(12_000)), b64(greyPng(40, 24))]);
  assert.match(answers.header, /100000x100000 is 10000\.0 megapixels, over the limit of 100\.0/);
  assert.match(answers.bomb, /12000x12000 is 144\.0 megapixels, over the limit/);
  assert.match(answers.limit, /40x24 .* over the limit of 0\.0/);
  assert.equal(answers.after, 40);
  await page.close();
});

test('encode, onProgress and bad options', async () => {
  const page = await openApi();
  const result = await page.evaluate(async (png) => {
    const stages = [];
    const out = await colorizer.colorize(bytes(png), {
      size: 32, encode: { type: 'image/jpeg', quality: 0.8 }, png: true, onProgress: ({ stage }) => stages.push(stage),
    });
    const decoded = await createImageBitmap(out.blob);
    return {
      stages, type: out.blob.type, size: `${decoded.width}x${decoded.height}`,
      png: Array.from(out.png.subarray(1, 4), (c) => String.fromCharCode(c)).join(''),
      quality: await failure(colorizer.colorize(bytes(png), { encode: { type: 'image/jpeg', quality: 2 } })),
      type2: await failure(colorizer.colorize(bytes(png), { encode: 'image/tiff' })),
    };
  }, b64(greyPng(40, 24)));
  assert.deepEqual(result.stages, ['decode', 'network', 'upsample', 'encode']);
  assert.equal(result.type, 'image/jpeg');
  assert.equal(result.size, '40x24');
  assert.equal(result.png, 'PNG');
  assert.match(result.quality, /quality 2 is out of range/);
  assert.match(result.type2, /cannot encode as 'image\/tiff'/);
  await page.close();
});

test('an AbortSignal cancels queued and running calls, and the colorizer goes on', async () => {
  const page = await openApi();
  const result = await page.evaluate(async ([big, small]) => {
    const early = AbortSignal.abort();
    const before = await failure(colorizer.colorize(bytes(small), { signal: early }));
    // A long call, and a queued one behind it that is cancelled while it waits.
    const first = colorizer.colorize(bytes(big), { size: 256 });
    const queued = new AbortController();
    const second = failure(colorizer.colorize(bytes(small), { signal: queued.signal }));
    queued.abort();
    const waited = await second;
    await first;
    // A running call, cancelled once the network has started.
    const running = new AbortController();
    const stages = [];
    const cancelled = await failure(colorizer.colorize(bytes(big), {
      size: 256, signal: running.signal,
      onProgress: ({ stage }) => { stages.push(stage); if (stage === 'network') running.abort(); },
    }));
    const next = await colorizer.colorize(bytes(small), { size: 32 });
    return { before, waited, cancelled, stages, next: next.width };
  }, [b64(greyPng(640, 480)), b64(greyPng(40, 24))]);
  assert.equal(result.before, 'AbortError: colorize was cancelled');
  assert.equal(result.waited, 'AbortError: colorize was cancelled');
  assert.equal(result.cancelled, 'AbortError: colorize was cancelled');
  assert.deepEqual(result.stages, ['decode', 'network'], 'nothing runs after the cancel');
  assert.equal(result.next, 40);
  await page.close();
});

test('dispose frees the colorizer; later calls reject and a new one works', async () => {
  const page = await openApi();
  const result = await page.evaluate(async (png) => {
    const pending = colorizer.colorize(bytes(png), { size: 32 });
    await colorizer.dispose();
    const finished = (await pending).width; // queued before dispose: completes
    const after = await failure(colorizer.colorize(bytes(png)));
    await colorizer.dispose(); // twice is harmless
    const fresh = await api.Colorizer.create({ backend: 'cpu' });
    return { finished, after, fresh: (await fresh.colorize(bytes(png), { size: 32 })).width };
  }, b64(greyPng(40, 24)));
  assert.equal(result.finished, 40);
  assert.match(result.after, /this Colorizer was disposed/);
  assert.equal(result.fresh, 40);
  await page.close();
});
