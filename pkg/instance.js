// The WebAssembly module: compiled once, instantiated on demand. Every Colorizer shares the
// first instance; one whose instance trapped (a RuntimeError from a panic or an out-of-memory
// abort: that instance's state is gone) gets a fresh instance of the same compiled module, so
// it can rebuild itself without downloading or compiling anything again.
import * as first from './wasm/burn_colorize.js';

const wasmUrl = new URL('./wasm/burn_colorize_bg.wasm', import.meta.url);
let compiled;
let firstReady;
let instances = 0;

async function compile() {
  const response = await fetch(wasmUrl);
  if (!response.ok) throw new Error(`could not fetch the WebAssembly module from ${wasmUrl}: HTTP ${response.status}`);
  if (response.headers.get('content-type')?.startsWith('application/wasm')) return WebAssembly.compileStreaming(response);
  return WebAssembly.compile(await response.arrayBuffer());
}

/** The shared instance's bindings (WasmColorizer, checkImage, ...), instantiated on first use. */
export function firstInstance() {
  compiled ??= compile();
  firstReady ??= compiled.then((module) => first.default({ module_or_path: module })).then(() => first);
  return firstReady;
}

/**
 * The bindings of a new instance with its own memory. The JavaScript glue keeps one instance
 * per module, so a fresh instance needs a fresh copy of the glue (the same file, another URL).
 */
export async function freshInstance() {
  compiled ??= compile();
  const module = await compiled;
  instances += 1;
  const glue = await import(/* @vite-ignore */ `./wasm/burn_colorize.js?instance=${instances}`);
  await glue.default({ module_or_path: module });
  return glue;
}

/** Listeners for traps: a panic inside an async call is thrown from a microtask, never into its promise. */
const trapListeners = new Set();
function onTrap(event, error) {
  if (!(error instanceof WebAssembly.RuntimeError) || trapListeners.size === 0) return;
  event.preventDefault(); // handled here: a worker's page does not see it as a crash
  for (const listener of [...trapListeners]) listener(error);
}
globalThis.addEventListener?.('error', (event) => onTrap(event, event.error));
globalThis.addEventListener?.('unhandledrejection', (event) => onTrap(event, event.reason));

/** Instances (their bindings) that trapped: unusable, for every Colorizer that shares them. */
const trappedInstances = new WeakSet();

/** Whether the instance of these bindings trapped under some call. */
export const isTrapped = (wasm) => trappedInstances.has(wasm);

/**
 * `promise`, a call into the instance of `wasm`; or a rejection with the RuntimeError if the
 * module traps meanwhile (the promise of a trapped call never settles), the instance then
 * marked as trapped.
 */
export function orTrap(promise, wasm) {
  let listener;
  const trapped = new Promise((_, reject) => {
    listener = (error) => {
      trappedInstances.add(wasm);
      reject(error);
    };
    trapListeners.add(listener);
  });
  return Promise.race([promise, trapped]).finally(() => trapListeners.delete(listener));
}
