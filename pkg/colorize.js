// burn-colorize for the browser: colour for grey photos, computed on the user's device with
// WebGPU (or the CPU when WebGPU is missing or fails). ES module; no bundler needed.
// Images are decoded and encoded by the browser (pixels.js); the WebAssembly module sees pixels.
// If the module traps (instance.js), a Colorizer rebuilds itself on the CPU and runs the call again.
import { abortable, abortError } from './abort.js';
import { bindings, isStale, liveGeneration, orTrap } from './instance.js';
import {
  INPUT_TYPES, bytesOf, decodeToImageData, drawableToImageData, encodeImageData, encodeOptions, isDrawable, isImageData,
  sameBytes,
} from './pixels.js';

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

async function modelBytes(source) {
  const bytes = await bytesOf(source);
  if (!bytes) throw new TypeError('model must be a Uint8Array, ArrayBuffer, Blob/File or URL');
  return bytes;
}

/** This browser's WebGPU adapter, or null. */
async function requestAdapter() {
  try {
    return (await globalThis.navigator?.gpu?.requestAdapter()) ?? null;
  } catch {
    return null;
  }
}

/** Whether this browser gives us a WebGPU adapter (a software one counts). */
export async function webgpuAvailable() {
  return (await requestAdapter()) !== null;
}

/** Names of WebGPU implementations that run on the CPU: SwiftShader, Mesa's llvmpipe/lavapipe/softpipe, Windows' WARP. */
const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|\bwarp\b|basic render driver/i;

/**
 * Whether `adapter` renders in software on the CPU: slower there than this package's own CPU
 * path (SwiftShader took 5.6 s for 1024×768 where the CPU path took about 0.5 s).
 */
export function isSoftwareAdapter(adapter) {
  const info = adapter.info ?? {};
  if (adapter.isFallbackAdapter || info.isFallbackAdapter) return true;
  return SOFTWARE.test([info.vendor, info.architecture, info.device, info.description].join(' '));
}

/**
 * Where `backend` runs: 'webgpu' asks for any adapter (a software one too); 'auto' takes WebGPU
 * only on a hardware adapter and the CPU otherwise; 'cpu' is the CPU.
 */
async function chooseDevice(backend) {
  if (backend === 'cpu') return 'cpu';
  const adapter = await requestAdapter();
  if (backend === 'webgpu') {
    if (!adapter) throw new Error('WebGPU is not available in this browser (no navigator.gpu or no adapter)');
    return 'webgpu';
  }
  return adapter && !isSoftwareAdapter(adapter) ? 'webgpu' : 'cpu';
}

/** The default model's URL: `model.bclz` beside this file. */
export const defaultModelUrl = new URL('./model.bclz', import.meta.url);

/** What the WebGPU device holds now, in bytes: { inUse, reserved }, or null before WebGPU was used. */
export async function gpuMemory() {
  return (await bindings()).webgpuMemory();
}

/** The bytes of an ImageData's pixels, without a copy. */
const rgbaOf = (imageData) => new Uint8Array(imageData.data.buffer, imageData.data.byteOffset, imageData.data.byteLength);

/** Only Colorizer.create makes Colorizers. */
const CREATE = Symbol('create');

export class Colorizer {
  /** The module's bindings (instance.js). */
  #wasm;
  /** The instance generation `#inner` was made in (instance.js). */
  #generation;
  #inner;
  /** The model file, kept to rebuild on the CPU after a trap. */
  #model;
  #queue = Promise.resolve();
  #disposed = false;
  /** A copy of the encoded bytes whose pixels the module holds from the last call, if any. */
  #lastBytes = null;
  /** The colour reference the module holds (a copy of its bytes, or the object itself), if any. */
  #lastReference = null;

  constructor(token, wasm, generation, inner, model) {
    if (token !== CREATE) throw new TypeError('use `await Colorizer.create(options)`');
    [this.#wasm, this.#generation, this.#inner, this.#model] = [wasm, generation, inner, model];
  }

  /**
   * Load a model. `model`: bytes, a Blob, or a URL (default: the model shipped with this
   * package). `backend`: 'auto' (WebGPU on a hardware adapter, else the CPU), 'webgpu' (any
   * adapter, a software one too) or 'cpu'.
   */
  static async create({ model, backend = 'auto' } = {}) {
    if (typeof OffscreenCanvas === 'undefined' || typeof createImageBitmap === 'undefined') {
      throw new Error('burn-colorize runs in a browser (a page or a worker): this environment has no OffscreenCanvas '
        + 'or createImageBitmap. On a server, import it but create colorizers in the browser only');
    }
    if (!['auto', 'webgpu', 'cpu'].includes(backend)) {
      throw new Error(`unknown backend '${backend}': use 'auto', 'webgpu' or 'cpu'`);
    }
    const wasm = await bindings();
    const bytes = model === undefined
      ? await fetchBytes(defaultModelUrl)
      : typeof model === 'string' || model instanceof URL
        ? await fetchBytes(model)
        : await modelBytes(model);
    const device = await chooseDevice(backend);
    const generation = await liveGeneration();
    const inner = await orTrap(wasm.WasmColorizer.create(bytes, device));
    return new Colorizer(CREATE, wasm, generation, inner, bytes.slice());
  }

  /** 'webgpu' or 'cpu': where the network runs now. */
  get backend() {
    this.#checkLive();
    return this.#inner.backend;
  }

  /** Whether the model takes a colour reference (the `reference` option). */
  get takesReference() {
    this.#checkLive();
    return this.#inner.takesReference;
  }

  /** Parameters of the loaded network. */
  get parameterCount() {
    this.#checkLive();
    return this.#inner.parameterCount;
  }

  /**
   * Colorize `input`: encoded bytes (Uint8Array, ArrayBuffer, Blob/File), ImageData, or
   * anything drawable (ImageBitmap, <img>, <canvas>, OffscreenCanvas). Options: size (working
   * size, default 128), saturation (0-4), temperature (0-1), hints ([{x, y, r, g, b}] in image
   * pixels), maxMegapixels, encode ('image/png' | 'image/jpeg' | 'image/webp' or
   * {type, quality}: also return the result as a Blob), png (also return PNG bytes), signal
   * (an AbortSignal), onProgress (called with {stage}: 'decode', 'network', 'upsample',
   * 'encode'), reference (a colour photo that lends its colours, of the same types as `input`:
   * only its colours count, not its layout; refused when grey). Calls run one at a time, in order.
   * Resolves to { imageData, width, height, blob?, png?, backend, milliseconds }.
   */
  colorize(input, options = {}) {
    return this.#enqueue(options.signal, 'colorize', () => this.#colorize(input, options));
  }

  /**
   * The colours the network finds most likely at one point of `input`, to offer beside a
   * colour picker. Options: x, y (image pixels, required), k (how many, default 6), and the
   * same size/hints/reference/signal as `colorize`. Resolves to [{ r, g, b, ab: [a, b], probability }],
   * most likely first; r, g, b render the colour at the photo's lightness at that point.
   */
  suggest(input, options) {
    return this.#enqueue(options?.signal, 'suggest', () => this.#suggest(input, options));
  }

  /**
   * Free the model and its GPU memory once the calls already queued have finished. Calls made
   * afterwards reject; create a new Colorizer to go on.
   */
  async dispose() {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.#queue;
    // An instance that trapped or was replaced took the model's memory with it.
    if (!isStale(this.#generation)) this.#inner.dispose();
    this.#inner = null;
    this.#lastBytes = null;
  }

  #checkLive() {
    if (this.#disposed) throw new Error('this Colorizer was disposed: create a new one with Colorizer.create()');
  }

  /** Run `job` after the calls before it; reject at once if `signal` aborts meanwhile. */
  #enqueue(signal, what, job) {
    try {
      this.#checkLive();
    } catch (e) {
      return Promise.reject(e);
    }
    const run = this.#queue.then(() => {
      if (signal?.aborted) throw abortError(signal, what);
      return job();
    });
    this.#queue = run.catch(() => {});
    return abortable(run, signal, what);
  }

  /**
   * Hand `input` to the module as pixels and call `withPixels(rgba, width, height)`, or, when
   * it is the same encoded file as last time, `withLast()` (the module still holds its pixels).
   */
  async #withInput(input, options, withPixels, withLast) {
    const bytes = await bytesOf(input);
    if (bytes && this.#lastBytes && sameBytes(bytes, this.#lastBytes)) return withLast();
    const imageData = await this.#imageData(input, bytes, options, 'input');
    const pixels = rgbaOf(imageData);
    this.#lastBytes = null; // the module replaces its photo in this call
    const result = await withPixels(pixels, imageData.width, imageData.height);
    this.#lastBytes = bytes ? bytes.slice() : null;
    return result;
  }

  /** The pixels of `input` (whose encoded bytes, if it is a file, are `bytes`). */
  async #imageData(input, bytes, options, what) {
    if (bytes) return decodeToImageData(bytes, options, this.#wasm);
    if (isImageData(input)) return input;
    if (isDrawable(input)) return drawableToImageData(input, options, this.#wasm);
    throw new TypeError(`${what} must be ${INPUT_TYPES}`);
  }

  /**
   * Lend the colours of `reference` to the module for the call that follows, or take them
   * back when there is none; nothing is decoded when the module holds the same one already.
   */
  async #lendReference(reference, options) {
    if (reference === undefined || reference === null) {
      this.#takeReferenceBack();
      return;
    }
    // A model without the reference input says so before anything is decoded.
    if (!this.#inner.takesReference) this.#inner.setReference(new Uint8Array(0), 0, 0, options);
    const bytes = await bytesOf(reference);
    if (bytes ? sameBytes(bytes, this.#lastReference) : reference === this.#lastReference) return;
    // If the new one is refused, the call fails and the next one must not find the old one.
    this.#takeReferenceBack();
    let imageData;
    try {
      imageData = await this.#imageData(reference, bytes, options, 'reference');
    } catch (e) {
      if (e instanceof TypeError) throw e;
      throw new Error(`the colour reference: ${e.message}`);
    }
    this.#inner.setReference(rgbaOf(imageData), imageData.width, imageData.height, options);
    this.#lastReference = bytes ? bytes.slice() : reference;
  }

  /** The module colours without a reference again. */
  #takeReferenceBack() {
    if (this.#lastReference !== null) this.#inner.clearReference();
    this.#lastReference = null;
  }

  async #colorize(input, { signal, onProgress, encode, reference, ...options }) {
    const start = performance.now();
    const wantPng = Boolean(options.png);
    const encoding = encode !== undefined ? encodeOptions(encode) : null;
    const report = (stage) => {
      if (signal?.aborted) throw abortError(signal, 'colorize');
      try {
        onProgress?.({ stage, milliseconds: performance.now() - start });
      } catch (e) {
        console.error('onProgress threw:', e);
      }
    };
    report('decode');
    const result = await this.#recovering(async () => {
      await this.#lendReference(reference, options);
      return this.#withInput(
        input,
        options,
        (pixels, width, height) => this.#inner.colorizeRgba(pixels, width, height, options, report),
        () => this.#inner.colorizeLast(options, report),
      );
    });
    const pixels = new Uint8ClampedArray(result.rgba.buffer, result.rgba.byteOffset, result.rgba.byteLength);
    const imageData = new ImageData(pixels, result.width, result.height);
    const out = { imageData, width: result.width, height: result.height };
    if (encoding || wantPng) report('encode');
    if (encoding) out.blob = await encodeImageData(imageData, encoding);
    if (wantPng) {
      const png = encoding?.type === 'image/png' ? out.blob : await encodeImageData(imageData, { type: 'image/png' });
      out.png = new Uint8Array(await png.arrayBuffer());
    }
    return { ...out, backend: this.#inner.backend, milliseconds: performance.now() - start };
  }

  #suggest(input, options) {
    if (!options || typeof options !== 'object') throw new TypeError('suggest needs options with {x, y} in image pixels');
    const { signal, onProgress, reference, ...rest } = options;
    return this.#recovering(async () => {
      await this.#lendReference(reference, rest);
      return this.#withInput(
        input,
        rest,
        (pixels, width, height) => this.#inner.suggestRgba(pixels, width, height, rest),
        () => this.#inner.suggestLast(rest),
      );
    });
  }

  /**
   * Run `call`; if the module traps under it (a panic in the GPU runtime, memory exhausted),
   * move to a fresh instance on the CPU, say so, and run it once more.
   */
  async #recovering(call) {
    // Another Colorizer's call may have trapped the instance this one shares.
    if (isStale(this.#generation)) await this.#rebuild('under another call');
    try {
      return await orTrap(call());
    } catch (e) {
      if (!(e instanceof WebAssembly.RuntimeError)) throw e;
      await this.#rebuild(`(${e.message})`);
      return orTrap(call());
    }
  }

  /** Move to a fresh instance of the module, on the CPU, and say so. */
  async #rebuild(why) {
    console.warn(`burn-colorize: the WebAssembly module stopped ${why}; continuing on the CPU in a fresh instance`);
    this.#generation = await liveGeneration();
    this.#inner = await this.#wasm.WasmColorizer.create(this.#model, 'cpu');
    this.#lastBytes = null;
    this.#lastReference = null;
  }
}
