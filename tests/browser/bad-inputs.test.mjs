// Whatever a user drops on the page, it answers with a clear message and stays usable: an
// empty file, a text file, a truncated JPEG and a header claiming 100,000 × 100,000 pixels are
// refused, each with its reason; a 1×1 PNG, a 16-bit PNG and a CMYK JPEG colour; and after all
// of them the next good photo still colours.
// CPU backend, ?size=64: SwiftShader's WebGPU is too slow for many runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { greyPng, pngHeader, ROOT, useBrowser } from './harness.mjs';

const env = useBrowser();

const counter = (page, key, n) => page.waitForFunction(
  ([key, n]) => Number(document.body.dataset[key] ?? 0) >= n, [key, n], { timeout: 120_000 });

/** A JPEG made by the browser from a gradient, cut to its first half. */
async function truncatedJpeg(page) {
  const b64 = await page.evaluate(async () => {
    const canvas = new OffscreenCanvas(64, 48);
    const ctx = canvas.getContext('2d');
    const gradient = ctx.createLinearGradient(0, 0, 64, 48);
    gradient.addColorStop(0, '#2060c0');
    gradient.addColorStop(1, '#e0a040');
    ctx.fillStyle = gradient;
    ctx.fillRect(0, 0, 64, 48);
    const bytes = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 })).arrayBuffer());
    return btoa(String.fromCharCode(...bytes));
  });
  const jpeg = Buffer.from(b64, 'base64');
  return jpeg.subarray(0, jpeg.length >> 1);
}

test('bad and odd files each get a clear answer, and the next good photo colours', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${env.server.url}?size=64&backend=cpu`);
  await page.waitForFunction(() => document.body.dataset.backend, null, { timeout: 120_000 });

  const refused = [
    ['empty.png', 'image/png', Buffer.alloc(0), /empty\.png: .*empty/],
    ['notes.txt', 'text/plain', Buffer.from('shopping list: milk, eggs\n'), /notes\.txt: .*not an image/],
    ['cut.jpg', 'image/jpeg', await truncatedJpeg(page), /cut\.jpg: .*(truncated|corrupt)/],
    ['bomb.png', 'image/png', pngHeader(100_000, 100_000), /bomb\.png: .*100000\s*[×x]\s*100000.*megapixel/i],
  ];
  for (const [index, [name, mimeType, buffer, message]] of refused.entries()) {
    await page.setInputFiles('#file', { name, mimeType, buffer });
    await counter(page, 'failed', index + 1);
    assert.match(await page.textContent('#error'), message, name);
  }

  const coloured = [
    ['one.png', 'image/png', greyPng(1, 1), '1×1'],
    ['deep.png', 'image/png', greyPng(40, 30, 16), '40×30'],
    ['cmyk.jpg', 'image/jpeg', readFileSync(`${ROOT}tests/fixtures/cmyk-24x16.jpg`), '24×16'],
    ['good.png', 'image/png', greyPng(48, 32), '48×32'],
  ];
  for (const [index, [name, mimeType, buffer, size]] of coloured.entries()) {
    await page.setInputFiles('#file', { name, mimeType, buffer });
    await counter(page, 'done', index + 1);
    assert.match(await page.textContent('#status'), new RegExp(`Done: ${size} `), name);
    assert.equal(await page.isHidden('#error'), true, `${name}: no error left on the page`);
  }
  assert.equal(await page.evaluate(() => document.body.dataset.failed), String(refused.length));
  await context.close();
});
