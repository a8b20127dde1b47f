// burn-colorize for the browser: colour for grey photos, computed on the user's device with
// WebGPU (or the CPU when WebGPU is missing or fails). ES module; no bundler needed.
import init, { WasmColorizer } from './wasm/burn_colorize.js';

let wasmReady;

/** Load and instantiate the WebAssembly module once. */
function loadWasm() {
  wasmReady ??= init({ module_or_path: new URL('./wasm/burn_colorize_bg.wasm', import.meta.url) });
  return wasmReady;
}

async function fetchBytes(url) {
  let response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new Error(`could not fetch the model from ${url}: ${e.message}`);
  }
  if (!response.ok) throw new Error(`could not fetch the model from ${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function toBytes(source, what) {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (typeof Blob !== 'undefined' && source instanceof Blob) return new Uint8Array(await source.arrayBuffer());
  throw new TypeError(`${what} must be a Uint8Array, ArrayBuffer, Blob/File${what === 'input' ? ' or ImageData' : ' or URL'}`);
}

function isImageData(value) {
  return typeof ImageData !== 'undefined' && value instanceof ImageData;
}

/** Whether this browser gives us a WebGPU adapter. */
export async function webgpuAvailable() {
  const gpu = globalThis.navigator?.gpu;
  if (!gpu) return false;
  try {
    return (await gpu.requestAdapter()) !== null;
  } catch {
    return false;
  }
}

/** The default model's URL: `model.bclz` beside this file. */
export const defaultModelUrl = new URL('./model.bclz', import.meta.url);

export class Colorizer {
  #inner;
  #queue = Promise.resolve();

  constructor(inner) {
    if (!(inner instanceof WasmColorizer)) throw new TypeError('use `await Colorizer.create(options)`');
    this.#inner = inner;
  }

  /**
   * Load a model. `model`: bytes, a Blob, or a URL (default: the model shipped with this
   * package). `backend`: 'auto' (WebGPU when available, else CPU), 'webgpu' or 'cpu'.
   */
  static async create({ model, backend = 'auto' } = {}) {
    if (!['auto', 'webgpu', 'cpu'].includes(backend)) {
      throw new Error(`unknown backend '${backend}': use 'auto', 'webgpu' or 'cpu'`);
    }
    await loadWasm();
    const bytes = model === undefined
      ? await fetchBytes(defaultModelUrl)
      : typeof model === 'string' || model instanceof URL
        ? await fetchBytes(model)
        : await toBytes(model, 'model');
    let device = 'cpu';
    if (backend !== 'cpu') {
      if (await webgpuAvailable()) device = 'webgpu';
      else if (backend === 'webgpu') throw new Error('WebGPU is not available in this browser (no navigator.gpu or no adapter)');
    }
    return new Colorizer(await WasmColorizer.create(bytes, device));
  }

  /** 'webgpu' or 'cpu': where the network runs now. */
  get backend() {
    return this.#inner.backend;
  }

  /** Parameters of the loaded network. */
  get parameterCount() {
    return this.#inner.parameterCount;
  }

  /**
   * Colorize `input` (encoded bytes, a Blob/File, or ImageData). Options: size (working size,
   * default 128), saturation (0-4), temperature (0-1), hints ([{x, y, r, g, b}] in image
   * pixels), png (also return the encoded PNG). Calls run one at a time, in order.
   * Resolves to { imageData, width, height, png?, backend, milliseconds }.
   */
  colorize(input, options = {}) {
    const run = this.#queue.then(() => this.#colorize(input, options));
    this.#queue = run.catch(() => {});
    return run;
  }

  /**
   * The colours the network finds most likely at one point of `input`, to offer beside a
   * colour picker. Options: x, y (image pixels, required), k (how many, default 6), and the
   * same size/hints as `colorize`. Resolves to [{ r, g, b, ab: [a, b], probability }], most
   * likely first; r, g, b render the colour at the photo's lightness at that point.
   */
  suggest(input, options) {
    const run = this.#queue.then(() => this.#run(input, options, 'suggest'));
    this.#queue = run.catch(() => {});
    return run;
  }

  #run(input, options, kind) {
    if (isImageData(input)) {
      const pixels = new Uint8Array(input.data.buffer, input.data.byteOffset, input.data.byteLength);
      return kind === 'suggest'
        ? this.#inner.suggestRgba(pixels, input.width, input.height, options)
        : this.#inner.colorizeRgba(pixels, input.width, input.height, options);
    }
    return toBytes(input, 'input').then((bytes) => (kind === 'suggest'
      ? this.#inner.suggestBytes(bytes, options)
      : this.#inner.colorizeBytes(bytes, options)));
  }

  async #colorize(input, options) {
    const start = performance.now();
    const result = await this.#run(input, options, 'colorize');
    const pixels = new Uint8ClampedArray(result.rgba.buffer, result.rgba.byteOffset, result.rgba.byteLength);
    return {
      imageData: new ImageData(pixels, result.width, result.height),
      width: result.width,
      height: result.height,
      png: result.png,
      backend: this.backend,
      milliseconds: performance.now() - start,
    };
  }
}
