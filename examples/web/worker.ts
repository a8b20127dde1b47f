// Worker mode as a TypeScript user writes it: the same calls as main.ts, run in a dedicated
// worker so a big photo never blocks the page. Type-checked by the tests (`tsc -p examples/web`);
// the bundler tests run worker mode in Vite, webpack and esbuild builds.
import { WorkerColorizer } from '../../pkg/worker.js';
import type { ColorizeResult } from '../../pkg/colorize.js';

export async function colourInWorker(photo: Blob, signal: AbortSignal): Promise<ColorizeResult> {
  const colorizer = await WorkerColorizer.create({ backend: 'auto' });
  try {
    return await colorizer.colorize(photo, { signal, onProgress: ({ stage }) => console.info(stage) });
  } finally {
    await colorizer.dispose();
  }
}
