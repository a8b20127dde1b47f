// Colour hints in the page, driven like a user would: click the photo to pin a colour, pick
// red in the colour picker, see the photo turn red there (and much less elsewhere); use a
// suggested colour; add, move and delete pins with the keyboard; clear them all.
// Runs on the CPU backend with ?size=64: SwiftShader's WebGPU is too slow for many re-runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { greyPng, useBrowser } from './harness.mjs';

const env = useBrowser();

const W = 64;
const H = 48;

/** Mean (r - g) of the result canvas in a 7×7 square around (x, y): > 0 is reddish. */
function rednessIn([x, y]) {
  const px = document.getElementById('after').getContext('2d').getImageData(x - 3, y - 3, 7, 7).data;
  let sum = 0;
  for (let i = 0; i < px.length; i += 4) sum += px[i] - px[i + 1];
  return sum / (px.length / 4);
}
const redness = (page, x, y) => page.evaluate(rednessIn, [x, y]);

/** Click the photo at image pixel (x, y). */
async function clickPhoto(page, x, y) {
  const box = await page.locator('#pins').boundingBox();
  await page.mouse.click(box.x + ((x + 0.5) / W) * box.width, box.y + ((y + 0.5) / H) * box.height);
}

const counter = (page, key, n) => page.waitForFunction(
  ([key, n]) => Number(document.body.dataset[key] ?? 0) >= n, [key, n], { timeout: 120_000 });

test('click to pin a colour, pick red, and the photo turns red there', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${env.server.url}?size=64&backend=cpu`);
  await page.setInputFiles('#file', { name: 'grey.png', mimeType: 'image/png', buffer: greyPng(W, H) });
  await counter(page, 'done', 1);
  const target = [16, 12]; // on the gradient, left of the disc
  const far = [56, 6];
  const [before, farBefore] = [await redness(page, ...target), await redness(page, ...far)];

  await clickPhoto(page, ...target);
  await page.waitForFunction(() => document.body.dataset.hints === '1');
  assert.equal(await page.isVisible('#hint-editor'), true, 'the pin editor opens');
  await counter(page, 'suggested', 1);
  const swatches = await page.locator('#suggestions .swatch').count();
  assert.ok(swatches >= 1 && swatches <= 6, `${swatches} suggested colours`);

  await page.fill('#hint-color', '#ff0000');
  // Re-runs are coalesced, so wait for the picture itself to change at the pin.
  const redder = await page.waitForFunction(([x, y, level]) => {
    const px = document.getElementById('after').getContext('2d').getImageData(x - 3, y - 3, 7, 7).data;
    let sum = 0;
    for (let i = 0; i < px.length; i += 4) sum += px[i] - px[i + 1];
    return sum / (px.length / 4) > level;
  }, [...target, before + 20], { timeout: 60_000 }).catch(() => null);
  const after = await redness(page, ...target);
  const farAfter = await redness(page, ...far);
  assert.ok(redder && after > before + 20, `red at the pin: r-g went from ${before} to ${after}`);
  assert.ok(after - before > Math.abs(farAfter - farBefore), `the change is local (far away: ${farBefore} → ${farAfter})`);
  assert.match(await page.getAttribute('#pins .pin', 'aria-label'), /#ff0000/);

  // A suggested colour replaces the pin's colour.
  const done = Number(await page.evaluate(() => document.body.dataset.done));
  await page.locator('#suggestions .swatch').first().click();
  await counter(page, 'done', done + 1);
  assert.doesNotMatch(await page.getAttribute('#pins .pin', 'aria-label'), /#ff0000/);

  await page.click('#hints-clear');
  await page.waitForFunction(() => document.body.dataset.hints === '0');
  await context.close();
});

test('pins work from the keyboard and by dragging', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${env.server.url}?size=64&backend=cpu`);
  await page.setInputFiles('#file', { name: 'grey.png', mimeType: 'image/png', buffer: greyPng(W, H) });
  await counter(page, 'done', 1);
  await page.focus('#pins');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.body.dataset.hints === '1');
  const label = () => page.getAttribute('#pins .pin', 'aria-label');
  assert.match(await label(), /at 32, 24:/, 'Enter pins the centre');
  await page.keyboard.press('Shift+ArrowRight');
  assert.match(await label(), /at 38, 24:/, 'Shift+arrow moves the focused pin by a tenth');

  // Drag the pin with the mouse to the top-left quarter.
  const pin = await page.locator('#pins .pin').boundingBox();
  const box = await page.locator('#pins').boundingBox();
  await page.mouse.move(pin.x + pin.width / 2, pin.y + pin.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.25, box.y + box.height * 0.25, { steps: 5 });
  await page.mouse.up();
  assert.match(await label(), /at 16, 12:/, 'dragging moves the pin');

  await page.focus('#pins .pin');
  await page.keyboard.press('Delete');
  await page.waitForFunction(() => document.body.dataset.hints === '0');
  await context.close();
});
