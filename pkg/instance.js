// The WebAssembly module: compiled once, instantiated on first use. Every Colorizer shares that
// instance. When it traps (a RuntimeError from a panic or an out-of-memory abort: its state is
// gone), the glue makes a new instance of the same compiled module in place
// (`__wbg_reset_state_async`: scripts/build-wasm.sh): nothing is
// downloaded, compiled or imported again, so it works the same under every bundler. Each reset
// starts a new generation; objects of an older one (a WasmColorizer) must be made again.
import init, * as glue from './wasm/burn_colorize.js';

const wasmUrl = new URL('./wasm/burn_colorize_bg.wasm', import.meta.url);
let ready;
let generation = 0;
let trapped = false;
/** The reset under way, if any: callers that find the instance trapped wait for the same one. */
let resetting = null;

async function compile() {
  const response = await fetch(wasmUrl);
  if (!response.ok) throw new Error(`could not fetch the WebAssembly module from ${wasmUrl}: HTTP ${response.status}`);
  if (response.headers.get('content-type')?.startsWith('application/wasm')) return WebAssembly.compileStreaming(response);
  return WebAssembly.compile(await response.arrayBuffer());
}

/** The module's bindings (WasmColorizer, checkImage, ...), instantiated on first use. */
export function bindings() {
  ready ??= compile().then((module) => init({ module_or_path: module })).then(() => glue);
  return ready;
}

/**
 * The generation of the live instance, after replacing it if it trapped. A caller whose objects
 * are of another generation makes them again.
 */
export async function liveGeneration() {
  await bindings();
  if (trapped) {
    resetting ??= glue.__wbg_reset_state_async().then(() => {
      generation += 1;
      trapped = false;
    }).finally(() => { resetting = null; });
    await resetting;
  }
  return generation;
}

/** Whether objects made in generation `made` belong to an instance that is gone or trapped. */
export const isStale = (made) => made !== generation || trapped;

/** Listeners for traps: a panic inside an async call is thrown from a microtask, never into its promise. */
const trapListeners = new Set();
function onTrap(event, error) {
  if (!(error instanceof WebAssembly.RuntimeError) || trapListeners.size === 0) return;
  event.preventDefault(); // handled here: a worker's page does not see it as a crash
  for (const listener of [...trapListeners]) listener(error);
}
globalThis.addEventListener?.('error', (event) => onTrap(event, event.error));
globalThis.addEventListener?.('unhandledrejection', (event) => onTrap(event, event.reason));

/**
 * `promise`, a call into the instance; or a rejection with the RuntimeError if the module traps
 * meanwhile (the promise of a trapped call never settles), the instance then marked as trapped.
 */
export function orTrap(promise) {
  let listener;
  const made = generation;
  const trappedNow = new Promise((_, reject) => {
    listener = (error) => {
      if (made === generation) trapped = true;
      reject(error);
    };
    trapListeners.add(listener);
  });
  return Promise.race([promise, trappedNow]).catch((e) => {
    // A trap thrown straight into the promise (a synchronous call) marks the instance too.
    if (e instanceof WebAssembly.RuntimeError && made === generation) trapped = true;
    throw e;
  }).finally(() => trapListeners.delete(listener));
}
