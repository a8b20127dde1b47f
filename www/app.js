// The page: picks up photos (file picker, drag and drop, paste), sends them to the worker,
// shows before/after, lets the user pin colour hints (hints.js), tune saturation and download
// the full-size PNG; an optional colour reference (reference.js) lends its colours.
import { createHints } from './hints.js';
import { createReference } from './reference.js';

const $ = (id) => document.getElementById(id);
const ui = {
  drop: $('drop'), file: $('file'), status: $('status'), progress: $('progress'), error: $('error'),
  result: $('result'), before: $('before'), after: $('after'), divider: $('divider'), split: $('split'),
  saturation: $('saturation'), saturationValue: $('saturation-value'), download: $('download'),
  backend: $('backend'), backendInfo: $('backend-info'), compare: $('compare'),
};

let worker = null;
let nextId = 1;
const pending = new Map();
let current = null; // { bytes, name }
let downloadUrl = null;
let backendName = '';

function setStatus(text, busy = false) {
  ui.status.textContent = text;
  ui.progress.hidden = !busy;
}

function showError(message) {
  ui.error.textContent = message;
  ui.error.hidden = false;
}

/** Show which backend runs the network (after a fallback too: WebGPU lost, a trap). */
function showBackend(backend, parameters) {
  backendName = backend === 'webgpu' ? 'WebGPU' : 'the CPU';
  if (parameters) ui.backendInfo.dataset.parameters = String(parameters);
  const count = Number(ui.backendInfo.dataset.parameters ?? 0);
  ui.backendInfo.textContent = `Model: ${(count / 1e6).toFixed(2)} M parameters, running on ${backendName}.`;
  document.body.dataset.backend = backend;
}

// Restarts in a row without a finished request; past this the page gives up and says so.
const MAX_RESTARTS = 3;
let restarts = 0;

function startWorker(backend, { keepRequests = false } = {}) {
  worker?.terminate();
  if (!keepRequests) {
    for (const { reject } of pending.values()) reject(new Error('the colorizer was restarted'));
    pending.clear();
  }
  setStatus('Loading the model…', true);
  worker = new Worker('worker.js', { type: 'module' });
  worker.onmessage = ({ data }) => {
    if (data.type === 'ready') {
      showBackend(data.backend, data.parameters);
      reference.show(data.takesReference);
      setStatus(current ? 'Colorizing…' : 'Ready: choose, drop or paste a photo.', Boolean(current));
    } else if (data.type === 'fatal') {
      setStatus('');
      showError(`The colorizer could not start: ${data.message}`);
    } else if (data.type === 'progress') {
      pending.get(data.id)?.progress?.(data.stage);
    } else {
      restarts = 0;
      const request = pending.get(data.id);
      pending.delete(data.id);
      if (data.type === 'result') request?.resolve(data);
      else request?.reject(new Error(data.message));
    }
  };
  worker.onerror = (event) => {
    event.preventDefault();
    restartWorker(event.message ?? 'unknown error');
  };
  worker.postMessage({ type: 'init', backend, model: modelUrl });
  // Requests still waiting (the worker died under them) go to the new worker, in order.
  for (const [id, { message }] of pending) worker.postMessage({ ...message, id });
}

/** The worker died (an uncaught error, a crash): start a new one and re-send what was queued. */
function restartWorker(reason) {
  restarts += 1;
  if (restarts > MAX_RESTARTS) {
    worker.terminate();
    for (const { reject } of pending.values()) reject(new Error(`the colorizer keeps stopping (${reason})`));
    pending.clear();
    showError(`The colorizer stopped ${MAX_RESTARTS} times in a row (${reason}); reload the page to try again.`);
    return;
  }
  console.warn(`the colorizer's worker stopped (${reason}); restarting it and re-sending ${pending.size} request(s)`);
  document.body.dataset.restarts = String(Number(document.body.dataset.restarts ?? 0) + 1);
  startWorker(ui.backend.value, { keepRequests: true });
}

/** Ask the worker to colorize (or suggest colours); requests are answered in order. */
function ask(type, bytes, options, progress) {
  const id = nextId++;
  const message = { type, id, bytes, options };
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject, progress, message });
    worker.postMessage(message);
  });
}

/** The grey version of a result (its own lightness), for the "before" side. */
function greyOf(imageData) {
  const grey = new ImageData(imageData.width, imageData.height);
  const src = imageData.data;
  const dst = grey.data;
  const linear = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const lut = Array.from({ length: 256 }, (_, i) => linear(i));
  for (let i = 0; i < src.length; i += 4) {
    const y = 0.2126729 * lut[src[i]] + 0.7151522 * lut[src[i + 1]] + 0.072175 * lut[src[i + 2]];
    const g = y <= 0.0031308 ? 12.92 * y : 1.055 * y ** (1 / 2.4) - 0.055;
    dst[i] = dst[i + 1] = dst[i + 2] = Math.round(Math.min(1, Math.max(0, g)) * 255);
    dst[i + 3] = src[i + 3];
  }
  return grey;
}

function draw(canvas, imageData) {
  canvas.width = imageData.width;
  canvas.height = imageData.height;
  canvas.getContext('2d').putImageData(imageData, 0, 0);
}

function show(result, name) {
  const imageData = new ImageData(new Uint8ClampedArray(result.rgba), result.width, result.height);
  const fresh = ui.after.width !== result.width || ui.after.height !== result.height || !current.shown;
  draw(ui.after, imageData);
  // For the benchmark: when the colour was first on screen (ms since navigation), and how often.
  document.body.dataset.shownAt ??= String(performance.now());
  document.body.dataset.shown = String(Number(document.body.dataset.shown ?? 0) + 1);
  if (fresh) {
    draw(ui.before, greyOf(imageData));
    hints.reset(result.width, result.height);
    current.shown = true;
  }
  ui.result.hidden = false;
  ui.download.download = `${name.replace(/\.[^.]+$/, '') || 'photo'}-colour.png`;
  if (result.backend !== document.body.dataset.backend) showBackend(result.backend);
  const where = result.backend === 'webgpu' ? 'WebGPU' : 'the CPU';
  setStatus(`Done: ${result.width}×${result.height} in ${(result.milliseconds / 1000).toFixed(2)} s on ${where}.`);
  // The download is the full-size canvas as PNG, made off the critical path.
  ui.download.setAttribute('aria-disabled', 'true');
  ui.after.toBlob((blob) => {
    if (downloadUrl) URL.revokeObjectURL(downloadUrl);
    downloadUrl = URL.createObjectURL(blob);
    ui.download.href = downloadUrl;
    ui.download.removeAttribute('aria-disabled');
    document.body.dataset.done = String(Number(document.body.dataset.done ?? 0) + 1);
  }, 'image/png');
}

// One request in flight at a time; edits made meanwhile are folded into one follow-up run,
// so dragging a pin or a slider never builds a queue of stale results.
let running = false;
let again = false;

async function run() {
  if (!current) return;
  if (running) { again = true; return; }
  running = true;
  const { bytes, name } = current;
  ui.error.hidden = true;
  setStatus(`Colorizing ${name}…`, true);
  try {
    const options = { saturation: Number(ui.saturation.value), hints: hints.list(), ...referenceOption(), ...workingSize };
    const stages = { decode: 'decoding', network: 'running the network', upsample: 'full resolution' };
    const progress = (stage) => setStatus(`Colorizing ${name}: ${stages[stage] ?? stage}…`, true);
    const result = await ask('colorize', bytes, options, progress);
    if (current?.bytes === bytes) show(result, name);
  } catch (e) {
    if (current?.bytes === bytes) {
      setStatus('');
      showError(`${name}: ${e.message}`);
      document.body.dataset.failed = String(Number(document.body.dataset.failed ?? 0) + 1);
    }
  } finally {
    running = false;
    if (again) { again = false; run(); }
  }
}

// Pins: a new or changed pin re-colours the photo (debounced a little for drags and the
// colour picker); suggestions come from the same worker.
let hintTimer = 0;
const hints = createHints({
  pins: $('pins'), editor: $('hint-editor'), color: $('hint-color'), suggestions: $('suggestions'),
  remove: $('hint-delete'), clear: $('hints-clear'), count: $('hint-count'),
}, {
  changed() { clearTimeout(hintTimer); hintTimer = setTimeout(run, 80); },
  colourAt(x, y) {
    const [r, g, b] = ui.after.getContext('2d').getImageData(Math.floor(x), Math.floor(y), 1, 1).data;
    return { r, g, b };
  },
  suggest: (x, y, others) => ask('suggest', current.bytes, { x, y, k: 6, hints: others, ...referenceOption(), ...workingSize })
    .then((reply) => reply.colours),
});

// The colour reference: changing or removing it re-colours the current photo.
const reference = createReference({
  section: $('reference'), drop: $('reference-drop'), file: $('reference-file'), thumb: $('reference-thumb'),
  name: $('reference-name'), remove: $('reference-remove'),
}, { changed: () => run() });

/** The `reference` option of a request, when a reference is set. */
function referenceOption() {
  const bytes = reference.bytes();
  return bytes ? { reference: bytes } : {};
}

async function accept(file) {
  if (!file) return;
  current = { bytes: new Uint8Array(await file.arrayBuffer()), name: file.name || 'pasted image', shown: false };
  hints.reset(0, 0);
  run();
}

// Picking, dropping and pasting.
ui.file.addEventListener('change', () => accept(ui.file.files[0]));
ui.drop.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); ui.file.click(); }
});
ui.drop.addEventListener('dragover', (e) => { e.preventDefault(); ui.drop.classList.add('over'); });
ui.drop.addEventListener('dragleave', () => ui.drop.classList.remove('over'));
ui.drop.addEventListener('drop', (e) => {
  e.preventDefault();
  ui.drop.classList.remove('over');
  accept(e.dataTransfer.files[0]);
});
document.addEventListener('paste', (e) => {
  const item = [...(e.clipboardData?.items ?? [])].find((i) => i.kind === 'file');
  if (item) accept(item.getAsFile());
});

// Before/after slider: by the range input, or by dragging the divider line.
function setSplit(percent) {
  ui.before.style.clipPath = `inset(0 ${100 - percent}% 0 0)`;
  ui.divider.style.left = `${percent}%`;
  ui.split.value = String(percent);
}
ui.split.addEventListener('input', () => setSplit(Number(ui.split.value)));
ui.divider.addEventListener('pointerdown', (e) => ui.divider.setPointerCapture(e.pointerId));
ui.divider.addEventListener('pointermove', (e) => {
  if (!ui.divider.hasPointerCapture(e.pointerId)) return;
  const box = ui.compare.getBoundingClientRect();
  setSplit(Math.round(Math.min(1, Math.max(0, (e.clientX - box.left) / box.width)) * 100));
});

// Saturation: re-colorize the current photo (debounced; the worker queues requests).
let saturationTimer = 0;
ui.saturation.addEventListener('input', () => {
  ui.saturationValue.textContent = Number(ui.saturation.value).toFixed(2);
  clearTimeout(saturationTimer);
  saturationTimer = setTimeout(run, 200);
});

// Backend choice: ?backend=cpu|webgpu|auto in the address, or the selector. ?size=N sets the working size.
// ?model=PATH loads another model file from this site (your own trained model, say) instead of
// the default; the Content-Security-Policy refuses any other origin.
const params = new URLSearchParams(location.search);
const modelUrl = params.has('model') ? new URL(params.get('model'), location.href).href : undefined;
const wanted = params.get('backend');
const workingSize = params.has('size') ? { size: Number(params.get('size')) } : {};
if (['cpu', 'webgpu', 'auto'].includes(wanted)) ui.backend.value = wanted;
ui.backend.addEventListener('change', () => { startWorker(ui.backend.value); run(); });
startWorker(ui.backend.value);
setSplit(50);

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('sw.js').catch((e) => console.warn('offline mode unavailable:', e));
}
