// Our browser paths against ONNX Runtime Web on the same network (not a test; run by
// scripts/bench-peers.sh, which puts the ONNX files, their inputs and onnxruntime-web's dist/
// under target/site/peers/). In headless Chromium, one thread each (our module is
// single-threaded; ONNX Runtime Web's threads would need cross-origin isolation):
// - the network at working sizes 128 and 512: ours on the CPU path (the 'network' stage of a
//   colorize call on an image of that size, from its progress events) against ONNX Runtime
//   Web's wasm backend (session.run); both WebGPU paths too (SwiftShader here, printed only);
// - a 12 MP JPEG on the CPU path: cold start to colour on the page, and a hint re-colour.
// The last line is `PEERS_BROWSER {json}` for bench-peers.sh.
import { coldStart, hintRecolour, makeJpeg, bsdsPhoto } from './bench-photos.mjs';
import { launch, ROOT, startServer } from './harness.mjs';

const SIZES = [128, 512];
const RUNS = 5;

const server = await startServer(`${ROOT}target/site`);
const browser = await launch();
const results = {};
try {
  const page = await browser.newPage();
  await page.goto(`${server.url}pkg/package.json`);
  for (const backend of ['cpu', 'webgpu']) {
    const ours = await page.evaluate(async ({ backend, sizes, runs }) => {
      const { Colorizer } = await import('/pkg/colorize.js');
      const colorizer = await Colorizer.create({ backend });
      const times = {};
      for (const size of sizes) {
        const image = new ImageData(size, size);
        for (let i = 0; i < image.data.length; i += 4) {
          const v = (Math.sin(i / 37) * 0.5 + 0.5) * 255;
          image.data.set([v, v, v, 255], i);
        }
        const network = [];
        for (let run = 0; run <= runs; run++) {
          const stages = {};
          await colorizer.colorize(image, { size, onProgress: (p) => { stages[p.stage] = p.milliseconds; } });
          if (run > 0) network.push(stages.upsample - stages.network);
        }
        times[size] = network.sort((a, b) => a - b)[runs >> 1];
      }
      const used = colorizer.backend;
      await colorizer.dispose();
      return { backend: used, times };
    }, { backend, sizes: SIZES, runs: RUNS });
    const ort = await page.evaluate(async ({ provider, sizes, runs }) => {
      const ort = await import('/peers/ort/ort.all.min.mjs');
      ort.env.wasm.wasmPaths = '/peers/ort/';
      ort.env.wasm.numThreads = 1;
      const times = {};
      for (const size of sizes) {
        const session = await ort.InferenceSession.create(`/peers/colorizer-${size}.onnx`, { executionProviders: [provider] });
        const input = new Float32Array(await (await fetch(`/peers/input-${size}.bin`)).arrayBuffer());
        const { referenceWidth } = await (await fetch('/peers/meta.json')).json();
        const reference = new Float32Array(referenceWidth); // zeros: no reference
        const feeds = {
          input: new ort.Tensor('float32', input, [1, 4, size, size]),
          reference: new ort.Tensor('float32', reference, [1, reference.length]),
        };
        const all = [];
        for (let run = 0; run <= runs; run++) {
          const t = performance.now();
          const out = await session.run(feeds);
          await out.logits.getData?.();
          if (run > 0) all.push(performance.now() - t);
        }
        times[size] = all.sort((a, b) => a - b)[runs >> 1];
        await session.release();
      }
      return times;
    }, { provider: backend === 'cpu' ? 'wasm' : 'webgpu', sizes: SIZES, runs: RUNS }).catch((e) => ({ error: String(e) }));
    for (const size of SIZES) {
      const peer = ort.error ? `failed: ${ort.error.split('\n')[0]}` : `${ort[size].toFixed(1)} ms`;
      console.log(`${backend === 'cpu' ? 'CPU (wasm, 1 thread)' : 'WebGPU'}, working size ${size}: ours ${ours.times[size].toFixed(1)} ms ` +
        `(network stage, ${ours.backend}), ONNX Runtime Web ${peer}`);
    }
    results[backend] = { ours: ours.times, onnxruntime: ort, oursBackend: ours.backend };
  }
  await page.close();
  const photoPage = await browser.newPage();
  await photoPage.goto(`${server.url}pkg/package.json`);
  const jpeg = await makeJpeg(photoPage, bsdsPhoto(), 4000, 3000);
  await photoPage.close();
  const cold = await coldStart(browser, server.url, 'cpu', jpeg);
  const [hint] = await hintRecolour(browser, server.url, 'cpu', jpeg);
  console.log(`12 MP JPEG on the CPU path: cold start to colour ${(cold.shownAt / 1000).toFixed(2)} s, hint re-colour ${(hint / 1000).toFixed(2)} s`);
  results.photo12mp = { coldSeconds: cold.shownAt / 1000, hintSeconds: hint / 1000 };
} finally {
  await browser.close();
  server.close();
}
console.log(`PEERS_BROWSER ${JSON.stringify(results)}`);
