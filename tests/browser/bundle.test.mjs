// pkg/ as a TypeScript app with a bundler uses it: examples/web/main.ts type-checks against
// colorize.d.ts (and a misuse does not), esbuild bundles it, and the bundle runs in Chromium
// with pkg's wasm/ and model beside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';
import { launch, ROOT, startServer } from './harness.mjs';

const tsc = (...args) => execFileSync(`${ROOT}tests/browser/node_modules/.bin/tsc`, args, { cwd: ROOT, encoding: 'utf8' });
const out = `${ROOT}target/bundle-example`;

test('the TypeScript example type-checks against colorize.d.ts, and a misuse is caught', () => {
  tsc('--noEmit', '-p', 'examples/web');
  mkdirSync(`${ROOT}target`, { recursive: true });
  const misuse = `${ROOT}target/misuse.ts`;
  writeFileSync(misuse, `import { Colorizer } from '../pkg/colorize.js';
const colorizer = await Colorizer.create({ backend: 'cpu' });
await colorizer.colorize(42, { saturation: 'high' });
export {};
`);
  let report = '';
  try {
    tsc('--noEmit', '--strict', '--target', 'ES2022', '--module', 'ESNext', '--moduleResolution', 'bundler',
      '--lib', 'ES2022,DOM', misuse);
  } catch (e) {
    report = String(e.stdout);
  }
  assert.match(report, /misuse\.ts\(3,26\): error TS2345: Argument of type 'number' is not assignable/);
});

test('an esbuild bundle of the example colours on the CPU', async () => {
  rmSync(out, { recursive: true, force: true });
  await build({
    entryPoints: [`${ROOT}examples/web/main.ts`], bundle: true, format: 'esm', outfile: `${out}/main.js`, logLevel: 'warning',
  });
  cpSync(`${ROOT}examples/web/index.html`, `${out}/index.html`);
  cpSync(`${ROOT}target/site/pkg/wasm`, `${out}/wasm`, { recursive: true });
  cpSync(`${ROOT}target/site/pkg/model.bclz`, `${out}/model.bclz`);
  const server = await startServer(out);
  const browser = await launch();
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.goto(server.url);
    await page.waitForFunction(() => /^(done|failed)/.test(document.title), null, { timeout: 120_000 });
    assert.equal(await page.title(), 'done 64x40 image/jpeg decode,network,upsample,encode no-gpu');
  } finally {
    await browser.close();
    server.close();
  }
});
