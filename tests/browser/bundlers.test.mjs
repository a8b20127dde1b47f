// pkg/ as embedders get it: `npm pack`, installed into a small app (bundlers/main.js), built for
// production by Vite, webpack and esbuild, and each build run in Chromium: colour at full size
// with progress, a cancelled call, a trap in the WebAssembly module recovered, dispose, on the
// page's thread and in worker mode. Also: importing the package in Node does not throw, and
// using it there says why it cannot work.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { build as esbuild } from 'esbuild';
import { build as vite } from 'vite';
import webpack from 'webpack';
import { greyPng, launch, ROOT, startServer } from './harness.mjs';

const work = `${ROOT}target/bundlers`;
const app = `${work}/app`;
const installed = `${app}/node_modules/burn-colorize`;

before(() => {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(app, { recursive: true });
  execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: `${ROOT}pkg` });
  const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
  writeFileSync(`${app}/package.json`, JSON.stringify({ name: 'app', private: true, type: 'module' }));
  cpSync(`${ROOT}tests/browser/bundlers/main.js`, `${app}/main.js`);
  execFileSync('npm', ['install', '--silent', '--no-audit', '--no-fund', '--no-package-lock', `../${tarball}`], { cwd: app });
});

const page = (script) => `<!doctype html><meta charset="utf-8"><title>loading</title>${script}\n`;

/** Builds of the app: each returns the folder to serve. */
const builders = {
  async vite() {
    const out = `${work}/vite`;
    writeFileSync(`${app}/index.html`, page('<script type="module" src="./main.js"></script>'));
    await vite({ root: app, configFile: false, logLevel: 'warn', build: { outDir: out, emptyOutDir: true } });
    return out;
  },
  async webpack() {
    const out = `${work}/webpack`;
    const stats = await new Promise((resolve, reject) => webpack({
      mode: 'production', context: app, entry: './main.js', output: { path: out, filename: 'main.js' },
      performance: { hints: false },
    }, (error, result) => (error ? reject(error) : resolve(result))));
    assert.ok(!stats.hasErrors(), stats.toString('errors-only'));
    writeFileSync(`${out}/index.html`, page('<script src="main.js"></script>'));
    return out;
  },
  /** esbuild copies no assets: as pkg/README says, the worker is a second entry and wasm/ and the model go beside. */
  async esbuild() {
    const out = `${work}/esbuild`;
    await esbuild({
      entryPoints: { main: `${app}/main.js`, 'worker-thread': `${installed}/worker-thread.js` },
      absWorkingDir: app, bundle: true, format: 'esm', outdir: out, logLevel: 'warning',
    });
    cpSync(`${installed}/wasm`, `${out}/wasm`, { recursive: true });
    cpSync(`${installed}/model.bclz`, `${out}/model.bclz`);
    writeFileSync(`${out}/index.html`, page('<script type="module" src="main.js"></script>'));
    return out;
  },
};

const b64 = (buffer) => Buffer.from(buffer).toString('base64');

/**
 * In the page: create a colorizer of `kind` ('page' or 'worker') on the CPU, colour a grey photo
 * with progress, cancel a call, and keep the colorizer as `window.colorizer`.
 */
function colourAndCancel(browserPage, kind, png) {
  return browserPage.evaluate(async ({ kind, png }) => {
    const { Colorizer, WorkerColorizer } = window.burnColorize;
    const photo = Uint8Array.from(atob(png), (c) => c.charCodeAt(0));
    window.photo = photo;
    const colorizer = await (kind === 'worker' ? WorkerColorizer : Colorizer).create({ backend: 'cpu' });
    window.colorizer = colorizer;
    const stages = [];
    const result = await colorizer.colorize(photo, { size: 64, onProgress: ({ stage }) => stages.push(stage) });
    const data = result.imageData.data;
    let chroma = 0;
    for (let i = 0; i < data.length; i += 4) chroma += Math.abs(data[i] - data[i + 1]) + Math.abs(data[i + 1] - data[i + 2]);
    const controller = new AbortController();
    const cancelled = colorizer.colorize(photo, { size: 64, signal: controller.signal });
    controller.abort();
    const cancel = await cancelled.then(() => 'resolved', (e) => e.name);
    const after = await colorizer.colorize(photo, { size: 64 });
    return {
      size: `${result.width}x${result.height}`, imageData: result.imageData instanceof ImageData, stages: stages.join(','),
      chroma: chroma / (data.length / 4), cancel, after: `${after.width}x${after.height}`,
    };
  }, { kind, png });
}

/** In the page: colour once more (after a trap was armed); what came out. */
function recover(browserPage) {
  return browserPage.evaluate(async () => {
    const result = await window.colorizer.colorize(window.photo, { size: 64 });
    return { size: `${result.width}x${result.height}`, backend: result.backend };
  });
}

/** In the page: dispose, then call again; the rejection's message. */
function dispose(browserPage) {
  return browserPage.evaluate(async () => {
    await window.colorizer.dispose();
    return window.colorizer.colorize(window.photo).then(() => 'resolved', (e) => e.message);
  });
}

for (const [bundler, build] of Object.entries(builders)) {
  test(`a ${bundler} production build colours, cancels, recovers from a trap and disposes, on the page and in a worker`, async () => {
    const server = await startServer(await build());
    const browser = await launch();
    try {
      for (const kind of ['page', 'worker']) {
        const browserPage = await browser.newPage();
        const warnings = [];
        browserPage.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
        browserPage.on('pageerror', (e) => console.error(`${bundler} page error:`, e.message));
        await browserPage.goto(server.url);
        await browserPage.waitForFunction(() => document.title === 'ready', null, { timeout: 60_000 });
        const first = await colourAndCancel(browserPage, kind, b64(greyPng(150, 100)));
        assert.deepEqual({ ...first, chroma: undefined }, {
          size: '150x100', imageData: true, stages: 'decode,network,upsample', chroma: undefined, cancel: 'AbortError', after: '150x100',
        }, `${bundler}, ${kind}`);
        assert.ok(first.chroma > 1, `${bundler}, ${kind}: the grey photo came back in colour (chroma ${first.chroma})`);
        // Arm the module's test trap where the module runs: the page, or the colorizer's worker.
        const where = kind === 'worker' ? browserPage.workers().at(-1) : browserPage;
        assert.ok(where, `${bundler}: the worker is running`);
        await where.evaluate(() => { globalThis.__burnColorizeTestTrap = true; });
        assert.deepEqual(await recover(browserPage), { size: '150x100', backend: 'cpu' }, `${bundler}, ${kind}`);
        assert.equal(await where.evaluate(() => globalThis.__burnColorizeTestTrap), false, `${bundler}, ${kind}: the module trapped`);
        assert.match(await dispose(browserPage), /disposed/, `${bundler}, ${kind}`);
        if (kind === 'page') assert.ok(warnings.some((w) => /module stopped .* fresh instance/.test(w)), `${bundler}: ${warnings}`);
        await browserPage.close();
      }
    } finally {
      await browser.close();
      server.close();
    }
  });
}

test('in Node (server rendering), the package imports without throwing, and creating a colorizer says why not', () => {
  const script = `
    const { Colorizer } = await import('burn-colorize');
    const { WorkerColorizer } = await import('burn-colorize/worker');
    for (const kind of [Colorizer, WorkerColorizer]) {
      await kind.create().then(() => console.log('created'), (e) => console.log(e.message));
    }`;
  const out = execFileSync('node', ['--input-type=module', '-e', script], { cwd: app, encoding: 'utf8' });
  assert.match(out, /^burn-colorize runs in a browser .*\nWorkerColorizer runs in a browser page/);
});
