// Types of burn-colorize/worker: the Colorizer API, run in a dedicated worker.
import type { ColorizeInput, ColorizeOptions, ColorizeResult, CreateOptions, SuggestOptions, Suggestion } from './colorize.js';

export interface WorkerCreateOptions extends CreateOptions {
  /**
   * A worker you started from `burn-colorize/worker-thread` yourself, for bundlers that do not
   * follow `new Worker(new URL('./worker-thread.js', import.meta.url))` (esbuild: see README).
   */
  worker?: Worker;
}

export declare class WorkerColorizer {
  private constructor();
  static create(options?: WorkerCreateOptions): Promise<WorkerColorizer>;
  /** Where the network ran last. */
  readonly backend: 'webgpu' | 'cpu';
  readonly parameterCount: number;
  readonly takesReference: boolean;
  /** As Colorizer.colorize; the result's pixels are transferred from the worker, not copied. */
  colorize(input: ColorizeInput, options?: ColorizeOptions): Promise<ColorizeResult>;
  suggest(input: ColorizeInput, options: SuggestOptions): Promise<Suggestion[]>;
  /** Free the model after the calls already sent, and end the worker; later calls reject. */
  dispose(): Promise<void>;
}
