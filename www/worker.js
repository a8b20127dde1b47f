// Runs the colorizer off the page's thread, so the page never freezes. Requests (colorize, or
// suggest colours at a point) are answered in the order they arrive (the Colorizer queues
// them), each tagged with its id; a colorize request also reports each stage as it starts.
// Files are decoded here, by the browser's codecs (pkg/pixels.js).
import { Colorizer } from './pkg/colorize.js';

let colorizer = null;
let ready = null;

async function start(backend, model) {
  try {
    colorizer = await Colorizer.create({ backend, model });
    self.postMessage({
      type: 'ready', backend: colorizer.backend, parameters: colorizer.parameterCount,
      takesReference: colorizer.takesReference,
    });
  } catch (e) {
    self.postMessage({ type: 'fatal', message: e?.message ?? String(e) });
    throw e;
  }
}

self.onmessage = async ({ data }) => {
  if (data.type === 'init') {
    ready = start(data.backend, data.model);
    return;
  }
  if (data.type === 'suggest') {
    try {
      await ready;
      const colours = await colorizer.suggest(data.bytes, data.options);
      self.postMessage({ type: 'result', id: data.id, colours });
    } catch (e) {
      self.postMessage({ type: 'error', id: data.id, message: e?.message ?? String(e) });
    }
    return;
  }
  if (data.type !== 'colorize') return;
  try {
    await ready;
    const onProgress = ({ stage }) => self.postMessage({ type: 'progress', id: data.id, stage });
    const result = await colorizer.colorize(data.bytes, { ...data.options, onProgress });
    const rgba = result.imageData.data.buffer;
    const transfer = result.png ? [rgba, result.png.buffer] : [rgba];
    self.postMessage({
      type: 'result', id: data.id, width: result.width, height: result.height, rgba,
      png: result.png, backend: result.backend, milliseconds: result.milliseconds,
    }, transfer);
  } catch (e) {
    self.postMessage({ type: 'error', id: data.id, message: e?.message ?? String(e) });
  }
};
