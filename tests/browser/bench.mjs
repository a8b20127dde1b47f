// Browser benchmark (not a test), in headless Chromium here: what a first visit downloads
// (raw, gzip, brotli), then on each backend cold start to first result, colorize time at 256²
// and 512², and the hint round trip (re-colour a 1024×768 photo with one more hint, and suggest
// colours at a point, at the default working size); then real photo sizes (bench-photos.mjs).
// Run with: bash scripts/bench-browser.sh
//   BENCH_SITE=DIR   another assembled site (e.g. an older build, for a side-by-side run)
//   BENCH_PARTS=sizes,api,photos   which parts to run (default: all)
import { benchPhotos } from './bench-photos.mjs';
import { printSizes } from './bench-sizes.mjs';
import { greyPng, launch, ROOT, startServer } from './harness.mjs';

const site = process.env.BENCH_SITE ?? `${ROOT}target/site`;
const parts = (process.env.BENCH_PARTS ?? 'sizes,api,photos').split(',');
console.log(`site: ${site}`);
if (parts.includes('sizes')) printSizes(site);

const server = await startServer(site);
const browser = await launch();
try {
  for (const backend of parts.includes('api') ? ['webgpu', 'cpu'] : []) {
    const page = await browser.newPage();
    await page.goto(`${server.url}pkg/package.json`); // same origin, no page scripts
    const images = {
      s256: greyPng(256, 256).toString('base64'), s512: greyPng(512, 512).toString('base64'),
      photo: greyPng(1024, 768).toString('base64'),
    };
    const result = await page.evaluate(async ({ backend, images }) => {
      const t0 = performance.now();
      const { Colorizer } = await import('/pkg/colorize.js');
      const colorizer = await Colorizer.create({ backend });
      const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      await colorizer.colorize(bytes(images.s256), { size: 256 });
      const coldStart = performance.now() - t0;
      const time = async (b64, size) => {
        const runs = [];
        for (let i = 0; i < 3; i++) {
          const t = performance.now();
          await colorizer.colorize(bytes(b64), { size });
          runs.push(performance.now() - t);
        }
        return runs.sort((a, b) => a - b)[1];
      };
      const median = async (job) => {
        const runs = [];
        for (let i = 0; i < 3; i++) {
          const t = performance.now();
          await job(i);
          runs.push(performance.now() - t);
        }
        return runs.sort((a, b) => a - b)[1];
      };
      const photo = bytes(images.photo);
      await colorizer.colorize(photo); // decoded once, then reused while the same photo comes back
      const hint = (i) => ({ x: 300 + 40 * i, y: 200, r: 200, g: 30, b: 30 });
      return {
        backend: colorizer.backend, coldStart,
        t256: await time(images.s256, 256), t512: await time(images.s512, 512),
        hinted: await median((i) => colorizer.colorize(photo, { hints: [hint(i)] })),
        suggest: await median((i) => colorizer.suggest(photo, { x: 300 + 40 * i, y: 200 })),
      };
    }, { backend, images });
    console.log(`${result.backend}: cold start to first result ${(result.coldStart / 1000).toFixed(2)} s; ` +
      `colorize 256² ${(result.t256 / 1000).toFixed(2)} s, 512² ${(result.t512 / 1000).toFixed(2)} s (median of 3, working size = image size); ` +
      `1024×768 at the default working size: re-colour with a new hint ${(result.hinted / 1000).toFixed(2)} s, ` +
      `suggest colours ${(result.suggest / 1000).toFixed(2)} s`);
    await page.close();
  }
  if (parts.includes('photos')) await benchPhotos(browser, server.url);
} finally {
  await browser.close();
  server.close();
}
