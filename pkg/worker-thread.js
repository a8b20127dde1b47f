// The worker behind WorkerColorizer (worker.js): one Colorizer, driven by messages
// { id, op: 'create' | 'colorize' | 'suggest' | 'abort' | 'dispose', ... }. It answers each call
// with { id, result } or { id, error: { name, message } }, and reports progress as
// { id, progress }. Pixels of a result are transferred to the page, not copied.
import { Colorizer } from './colorize.js';

let colorizer = null;
/** Calls under way: id → AbortController, so the page can cancel them. */
const running = new Map();

const ops = {
  async create({ options }) {
    colorizer = await Colorizer.create(options);
    return {
      result: { backend: colorizer.backend, takesReference: colorizer.takesReference, parameterCount: colorizer.parameterCount },
    };
  },
  async colorize({ id, input, reference, options }) {
    const result = await colorizer.colorize(input, {
      ...options, reference, signal: running.get(id).signal, onProgress: (progress) => self.postMessage({ id, progress }),
    });
    const transfer = [result.imageData.data.buffer];
    if (result.png) transfer.push(result.png.buffer);
    return { result, transfer };
  },
  async suggest({ id, input, reference, options }) {
    return { result: await colorizer.suggest(input, { ...options, reference, signal: running.get(id).signal }) };
  },
  async dispose() {
    await colorizer?.dispose();
    return { result: null };
  },
};

self.onmessage = async ({ data }) => {
  const { id, op } = data;
  if (op === 'abort') {
    running.get(id)?.abort(data.reason === undefined ? undefined : new Error(data.reason));
    return;
  }
  running.set(id, new AbortController());
  try {
    const { result, transfer = [] } = await ops[op](data);
    self.postMessage({ id, result }, transfer);
  } catch (e) {
    self.postMessage({ id, error: { name: e?.name ?? 'Error', message: e?.message ?? String(e) } });
  } finally {
    running.delete(id);
  }
};
