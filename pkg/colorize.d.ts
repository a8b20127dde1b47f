/** A colour hint: the pixel at (x, y) of the input image has colour (r, g, b). */
export interface Hint {
  x: number;
  y: number;
  r: number;
  g: number;
  b: number;
}

export interface CreateOptions {
  /** Model file bytes, a Blob, or its URL. Default: `model.bclz` beside this module. */
  model?: Uint8Array | ArrayBuffer | Blob | string | URL;
  /**
   * 'auto' (WebGPU on a hardware adapter, else the CPU: a software adapter such as SwiftShader
   * or llvmpipe is slower than the CPU path), 'webgpu' (any adapter, software too; reject
   * without one) or 'cpu'.
   */
  backend?: 'auto' | 'webgpu' | 'cpu';
}

/** What `colorize` and `suggest` take: encoded image bytes, pixels, or anything drawable. */
export type ColorizeInput =
  | Uint8Array
  | ArrayBuffer
  | Blob
  | ImageData
  | ImageBitmap
  | HTMLImageElement
  | HTMLCanvasElement
  | OffscreenCanvas;

/** A stage of one call, in order: 'encode' only when `encode` or `png` asks for a file. */
export type Stage = 'decode' | 'network' | 'upsample' | 'encode';

export interface Progress {
  stage: Stage;
  /** Milliseconds since the call started running. */
  milliseconds: number;
}

/** How to encode the result: a MIME type, or a type with a quality from 0 to 1 (JPEG, WebP). */
export type EncodeOptions =
  | 'image/png'
  | 'image/jpeg'
  | 'image/webp'
  | { type?: 'image/png' | 'image/jpeg' | 'image/webp'; quality?: number };

export interface ColorizeOptions {
  /** Long side of the working image the network sees (8-2048, default 128). */
  size?: number;
  /** Colour strength, 0-4 (default 1). */
  saturation?: number;
  /** 0 = most likely colour, 1 = mean of likely colours (default 0.38). */
  temperature?: number;
  /** Colour hints in input-image pixels. */
  hints?: Hint[];
  /** Also return the result encoded as PNG bytes (`png`). */
  png?: boolean;
  /** Also return the result encoded by the browser as a Blob (`blob`). */
  encode?: EncodeOptions;
  /** Cancels the call, queued or running: it then rejects with a DOMException named AbortError. */
  signal?: AbortSignal;
  /** Called as each stage starts. */
  onProgress?: (progress: Progress) => void;
  /** Refuse inputs over this many megapixels (default 100). */
  maxMegapixels?: number;
  /** Colour edges follow the photo's edges (default true); false upsamples colour bilinearly. */
  edgeAware?: boolean;
  /** Spread each hint over its region after the network (default true); false leaves hints to the network alone. */
  propagateHints?: boolean;
  /**
   * A colour photo that lends its colours (a modern photo of the same street, the same kind of
   * flower, the person's colour portrait): the parts of the photo that look like parts of the
   * reference take their colours, and its colour distribution steers the rest when the two
   * look alike overall; a reference unlike the photo changes little. Any input type; refused
   * when grey, empty, not an image or over `maxMegapixels`, and by a model without the
   * reference input (see `takesReference`). Combines with hints; without it, hints lend their
   * own colours as a reference.
   */
  reference?: ColorizeInput;
}

export interface ColorizeResult {
  /** The colour image at the input's full size. */
  imageData: ImageData;
  width: number;
  height: number;
  /** The PNG file, when `png: true` was asked for. */
  png?: Uint8Array;
  /** The encoded file, when `encode` was given. */
  blob?: Blob;
  /** The backend that ran this call. */
  backend: 'webgpu' | 'cpu';
  milliseconds: number;
}

export interface SuggestOptions {
  /** The point, in input-image pixels. */
  x: number;
  y: number;
  /** How many colours (1-32, default 6). */
  k?: number;
  /** Working size, as for `colorize`. */
  size?: number;
  /** Hints already placed; they change what the network predicts elsewhere. */
  hints?: Hint[];
  /** A colour reference, as for `colorize`: the suggestions follow its colours. */
  reference?: ColorizeInput;
  /** Refuse inputs over this many megapixels (default 100). */
  maxMegapixels?: number;
  /** Cancels the call, queued or running. */
  signal?: AbortSignal;
}

export interface Suggestion {
  /** The colour at the photo's lightness at that point. */
  r: number;
  g: number;
  b: number;
  /** Its CIE a*, b*. */
  ab: [number, number];
  /** Probability the network gives it. */
  probability: number;
}

export declare class Colorizer {
  private constructor();
  static create(options?: CreateOptions): Promise<Colorizer>;
  readonly backend: 'webgpu' | 'cpu';
  readonly parameterCount: number;
  /** Whether the model takes a colour reference (the `reference` option). */
  readonly takesReference: boolean;
  colorize(input: ColorizeInput, options?: ColorizeOptions): Promise<ColorizeResult>;
  /** The most likely distinct colours at one point, most likely first. */
  suggest(input: ColorizeInput, options: SuggestOptions): Promise<Suggestion[]>;
  /** Free the model and its GPU memory after the queued calls; later calls reject. */
  dispose(): Promise<void>;
}

/** What the WebGPU device holds now, in bytes, or null before WebGPU was used. */
export declare function gpuMemory(): Promise<{ inUse: number; reserved: number } | null>;

/** Whether this browser gives us a WebGPU adapter (a software one counts). */
export declare function webgpuAvailable(): Promise<boolean>;

/** Whether a WebGPU adapter renders in software on the CPU (SwiftShader, llvmpipe, WARP), which 'auto' passes over. */
export declare function isSoftwareAdapter(adapter: GPUAdapter): boolean;

/** URL of the default model shipped beside this module. */
export declare const defaultModelUrl: URL;
