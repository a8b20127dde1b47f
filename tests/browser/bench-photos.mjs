// Real photo sizes on the page: a 2 MP and a 12 MP JPEG (a BSDS500 photo upscaled when the
// archive is there, else a drawn scene, with sensor grain), cold start from navigation to the first colour on
// screen, a hint re-colour of the same photo through the API, and the browser's peak memory;
// a 24 MP photo either colours or is refused with a message, and the tab survives.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ROOT } from './harness.mjs';

/** One photo from ../shared/data's BSDS500 archive as base64, or null without the archive. */
export function bsdsPhoto() {
  const zip = `${ROOT}../shared/data/bsds500-dev.zip`;
  if (!existsSync(zip)) return null;
  const script = 'import base64,sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); n=sorted(x for x in z.namelist() if x.endswith(".jpg"))[0]; print(base64.b64encode(z.read(n)).decode())';
  return execFileSync('python3', ['-c', script, zip], { encoding: 'utf8', maxBuffer: 1 << 26 }).trim();
}

/** Sum of the RSS of every Chromium process, in MB. */
function browserRss() {
  try {
    const out = execFileSync('ps', ['-C', 'chromium', '-o', 'rss='], { encoding: 'utf8' });
    return out.split('\n').filter(Boolean).reduce((sum, kb) => sum + Number(kb), 0) / 1024;
  } catch {
    return 0;
  }
}

/** Run `job` while sampling the browser's memory every 50 ms; resolves to [result, peak MB]. */
async function withPeakMemory(job) {
  let peak = browserRss();
  const timer = setInterval(() => { peak = Math.max(peak, browserRss()); }, 50);
  try {
    const result = await job();
    return [result, Math.max(peak, browserRss())];
  } finally {
    clearInterval(timer);
  }
}

/** A JPEG of `width`×`height` made in the page from `source` (base64 JPEG) or a drawn scene. */
export async function makeJpeg(page, source, width, height) {
  const b64 = await page.evaluate(async ({ source, width, height }) => {
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext('2d');
    if (source) {
      const bytes = Uint8Array.from(atob(source), (c) => c.charCodeAt(0));
      context.drawImage(await createImageBitmap(new Blob([bytes])), 0, 0, width, height);
    } else {
      const sky = context.createLinearGradient(0, 0, 0, height);
      sky.addColorStop(0, '#6aa0e0');
      sky.addColorStop(1, '#d0e0f0');
      context.fillStyle = sky;
      context.fillRect(0, 0, width, height);
      context.fillStyle = '#3a7030';
      context.fillRect(0, height * 0.6, width, height * 0.4);
    }
    // Sensor grain, so the JPEG weighs what a camera's does (an upscaled photo alone is smooth
    // and compresses to a fifth of that, and decodes faster).
    const pixels = context.getImageData(0, 0, width, height);
    let seed = 1;
    for (let i = 0; i < pixels.data.length; i += 4) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const grain = ((seed >>> 16) % 25) - 12;
      for (let c = 0; c < 3; c++) pixels.data[i + c] += grain;
    }
    context.putImageData(pixels, 0, 0);
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let text = '';
    for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(text);
  }, { source, width, height });
  return Buffer.from(b64, 'base64');
}

/** Navigation to the first colour on screen, for `jpeg` dropped on a fresh page. */
export async function coldStart(browser, url, backend, jpeg) {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    const [shownAt, peak] = await withPeakMemory(async () => {
      await page.goto(`${url}?backend=${backend}`);
      await page.setInputFiles('#file', { name: 'photo.jpg', mimeType: 'image/jpeg', buffer: jpeg });
      await page.waitForFunction(() => document.body.dataset.shown || !document.getElementById('error').hidden, null, { timeout: 600_000 });
      const error = await page.evaluate(() => (document.getElementById('error').hidden ? null : document.getElementById('error').textContent));
      return error ?? Number(await page.evaluate(() => document.body.dataset.shownAt));
    });
    return { shownAt, peak, backend: await page.evaluate(() => document.body.dataset.backend) };
  } finally {
    await context.close();
  }
}

/** Median time of three hint re-colours of `jpeg` through the API (decoded once, then reused). */
export async function hintRecolour(browser, url, backend, jpeg) {
  const page = await browser.newPage();
  try {
    await page.goto(`${url}pkg/package.json`);
    return await withPeakMemory(() => page.evaluate(async ({ backend, b64 }) => {
      const { Colorizer } = await import('/pkg/colorize.js');
      const colorizer = await Colorizer.create({ backend });
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const { width, height } = await colorizer.colorize(bytes);
      const runs = [];
      for (let i = 0; i < 3; i++) {
        const t = performance.now();
        await colorizer.colorize(bytes, { hints: [{ x: (width >> 2) * (i + 1), y: height >> 1, r: 200, g: 40, b: 30 }] });
        runs.push(performance.now() - t);
      }
      await colorizer.dispose();
      return runs.sort((a, b) => a - b)[1];
    }, { backend, b64: jpeg.toString('base64') }));
  } finally {
    await page.close();
  }
}

export async function benchPhotos(browser, url) {
  const source = bsdsPhoto();
  console.log(`photos: ${source ? 'a BSDS500 photo upscaled' : 'a drawn scene (no ../shared/data)'}, JPEG quality 0.9`);
  const page = await browser.newPage();
  await page.goto(`${url}pkg/package.json`);
  const photos = {
    '2 MP (1732×1155)': await makeJpeg(page, source, 1732, 1155),
    '12 MP (4000×3000)': await makeJpeg(page, source, 4000, 3000),
    '24 MP (6000×4000)': await makeJpeg(page, source, 6000, 4000),
  };
  await page.close();
  for (const backend of ['cpu', 'webgpu']) {
    for (const [name, jpeg] of Object.entries(photos)) {
      const cold = await coldStart(browser, url, backend, jpeg);
      if (typeof cold.shownAt === 'string') {
        console.log(`${backend} ${name}, ${(jpeg.length / 1e6).toFixed(1)} MB JPEG: refused: ${cold.shownAt} (peak ${cold.peak.toFixed(0)} MB)`);
        continue;
      }
      const [hinted, peak] = await hintRecolour(browser, url, backend, jpeg);
      console.log(`${cold.backend} ${name}, ${(jpeg.length / 1e6).toFixed(1)} MB JPEG: cold start to colour ${(cold.shownAt / 1000).toFixed(2)} s ` +
        `(peak ${cold.peak.toFixed(0)} MB); hint re-colour ${(hinted / 1000).toFixed(2)} s (peak ${peak.toFixed(0)} MB)`);
    }
  }
}
