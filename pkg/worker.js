// burn-colorize off the main thread (`import { WorkerColorizer } from 'burn-colorize/worker'`):
// the same API as Colorizer, but the model, the decoding, the network and the encoding run in a
// dedicated worker (worker-thread.js), so a big photo never blocks the page. Results come back
// transferred, not copied. If the worker dies, pending calls reject and the next call starts a
// new one with the same model. It imports nothing that loads the WebAssembly module: that
// happens in the worker.
import { abortable, abortError } from './abort.js';
import { INPUT_TYPES, is, isDrawable, isImageData } from './pixels.js';

/**
 * `input` in a form a worker can receive, and what to transfer with it: encoded bytes, Blobs and
 * ImageData go as they are (copied by the browser, the caller's stay intact); anything drawn on
 * the page (<img>, <canvas>, ImageBitmap) becomes an ImageBitmap of its own, transferred.
 */
async function postable(input, what) {
  if (input === undefined || input === null) return { value: input, transfer: [] };
  if (input instanceof Uint8Array || input instanceof ArrayBuffer || is('Blob', input) || isImageData(input)) {
    return { value: input, transfer: [] };
  }
  if (isDrawable(input)) {
    if (is('HTMLImageElement', input)) {
      try {
        await input.decode();
      } catch (e) {
        throw new Error(`the <img> could not be decoded: ${e.message}`);
      }
    }
    const bitmap = await createImageBitmap(input);
    return { value: bitmap, transfer: [bitmap] };
  }
  throw new TypeError(`${what} must be ${INPUT_TYPES}`);
}

/** An error that came from the worker, as the same kind of error here. */
function revive({ name, message }) {
  if (name === 'AbortError') return new DOMException(message, 'AbortError');
  if (name === 'TypeError') return new TypeError(message);
  const error = new Error(message);
  if (name && name !== 'Error') error.name = name;
  return error;
}

/** Only WorkerColorizer.create makes WorkerColorizers. */
const CREATE = Symbol('create');

export class WorkerColorizer {
  #worker = null;
  #createOptions;
  #info;
  #nextId = 1;
  /** Calls waiting for the worker's answer: id → { resolve, reject, onProgress }. */
  #pending = new Map();
  #disposed = false;

  constructor(token, createOptions) {
    if (token !== CREATE) throw new TypeError('use `await WorkerColorizer.create(options)`');
    this.#createOptions = createOptions;
  }

  /**
   * Load a model in a new worker. Options as Colorizer.create (`model`: bytes, Blob or URL;
   * `backend`: 'auto' | 'webgpu' | 'cpu'), plus `worker`: a Worker you made from
   * `burn-colorize/worker-thread` yourself, for bundlers that do not follow
   * `new Worker(new URL(...), import.meta.url)` (see README).
   */
  static async create({ worker, ...options } = {}) {
    if (typeof Worker === 'undefined') {
      throw new Error('WorkerColorizer runs in a browser page: this environment has no Worker (on a server, create colorizers in the browser only)');
    }
    // A URL is resolved here, against the page: the worker's own address is another folder.
    if (options.model instanceof URL || typeof options.model === 'string') {
      options.model = new URL(options.model, globalThis.location?.href).href;
    }
    const colorizer = new WorkerColorizer(CREATE, options);
    try {
      await colorizer.#start(worker);
    } catch (e) {
      colorizer.#worker?.terminate();
      throw e;
    }
    return colorizer;
  }

  /** 'webgpu' or 'cpu': where the network ran last. */
  get backend() {
    this.#checkLive();
    return this.#info.backend;
  }

  /** Whether the model takes a colour reference (the `reference` option). */
  get takesReference() {
    this.#checkLive();
    return this.#info.takesReference;
  }

  /** Parameters of the loaded network. */
  get parameterCount() {
    this.#checkLive();
    return this.#info.parameterCount;
  }

  /** As Colorizer.colorize; the result's ImageData (and png bytes) are transferred from the worker. */
  colorize(input, options = {}) {
    return this.#call('colorize', input, options);
  }

  /** As Colorizer.suggest. */
  suggest(input, options) {
    if (!options || typeof options !== 'object') {
      return Promise.reject(new TypeError('suggest needs options with {x, y} in image pixels'));
    }
    return this.#call('suggest', input, options);
  }

  /** Free the model and end the worker once the calls already sent have finished. */
  async dispose() {
    if (this.#disposed) return;
    this.#disposed = true;
    if (!this.#worker) return;
    try {
      await this.#send('dispose', {});
    } catch {
      // A worker that died has nothing left to free.
    }
    this.#worker?.terminate();
    this.#worker = null;
  }

  #checkLive() {
    if (this.#disposed) throw new Error('this Colorizer was disposed: create a new one with WorkerColorizer.create()');
  }

  async #start(worker) {
    this.#worker = worker ?? new Worker(new URL('./worker-thread.js', import.meta.url), { type: 'module' });
    this.#worker.onmessage = (event) => this.#receive(event.data);
    this.#worker.onerror = (event) => {
      event.preventDefault?.();
      const why = event.message ?? 'it could not start (is worker-thread.js served where the bundle expects it? see the README) or threw';
      this.#lost(`the colorizer's worker stopped: ${why}`);
    };
    this.#info = await this.#send('create', { options: this.#createOptions });
  }

  /** The worker is gone: pending calls reject, and the next call starts another. */
  #lost(why) {
    this.#worker?.terminate();
    this.#worker = null;
    for (const { reject } of this.#pending.values()) reject(new Error(why));
    this.#pending.clear();
  }

  #receive({ id, progress, result, error }) {
    const call = this.#pending.get(id);
    if (!call) return;
    if (progress) {
      try {
        call.onProgress?.(progress);
      } catch (e) {
        console.error('onProgress threw:', e);
      }
      return;
    }
    this.#pending.delete(id);
    if (error) call.reject(revive(error));
    else call.resolve(result);
  }

  #send(op, message, transfer = [], onProgress, id = this.#nextId++) {
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, onProgress });
      this.#worker.postMessage({ id, op, ...message }, transfer);
    });
  }

  /** Send one call to the worker; if `signal` aborts, reject at once and tell the worker to stop. */
  #call(op, input, { signal, onProgress, reference, ...options }) {
    try {
      this.#checkLive();
    } catch (e) {
      return Promise.reject(e);
    }
    const id = this.#nextId++;
    const work = (async () => {
      const [photo, lent] = [await postable(input, 'input'), await postable(reference, 'reference')];
      if (signal?.aborted) throw abortError(signal, op);
      if (!this.#worker) await this.#start();
      const message = { input: photo.value, reference: lent.value, options };
      return this.#settle(await this.#send(op, message, [...photo.transfer, ...lent.transfer], onProgress, id));
    })();
    return abortable(work, signal, op, () => {
      this.#worker?.postMessage({ id, op: 'abort', reason: signal.reason instanceof Error ? signal.reason.message : undefined });
    });
  }

  /** A result from the worker, with the backend it ran on noted. */
  #settle(result) {
    if (result?.backend) this.#info.backend = result.backend;
    return result;
  }
}
