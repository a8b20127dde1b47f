// An app that embeds burn-colorize, as a TypeScript user writes it: typed options and results,
// a cancellable call with progress, and the colorizer disposed at the end. The tests type-check
// it (`tsc --noEmit`), bundle it with esbuild and run the bundle in Chromium.
import { Colorizer, type ColorizeResult, type Progress, gpuMemory } from '../../pkg/colorize.js';

/** A grey test card drawn on a canvas: what a user might paint or capture. */
function greyCard(width: number, height: number): OffscreenCanvas {
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d')!;
  const gradient = context.createLinearGradient(0, 0, width, height);
  gradient.addColorStop(0, '#303030');
  gradient.addColorStop(1, '#d0d0d0');
  context.fillStyle = gradient;
  context.fillRect(0, 0, width, height);
  return canvas;
}

async function main(): Promise<string> {
  const colorizer = await Colorizer.create({ backend: 'cpu' });
  const stages: Progress['stage'][] = [];
  const controller = new AbortController();
  const result: ColorizeResult = await colorizer.colorize(greyCard(64, 40), {
    size: 64,
    saturation: 1.2,
    encode: { type: 'image/jpeg', quality: 0.9 },
    signal: controller.signal,
    onProgress: ({ stage }) => stages.push(stage),
  });
  const memory = await gpuMemory();
  await colorizer.dispose();
  return `${result.width}x${result.height} ${result.blob?.type} ${stages.join(',')} ${memory === null ? 'no-gpu' : 'gpu'}`;
}

main().then(
  (summary) => { document.title = `done ${summary}`; },
  (error: unknown) => { document.title = `failed ${error instanceof Error ? error.message : String(error)}`; },
);
