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
  /** 'auto' (WebGPU when available, else CPU), 'webgpu' (reject without it) or 'cpu'. */
  backend?: 'auto' | 'webgpu' | 'cpu';
}

export interface ColorizeOptions {
  /** Long side of the working image the network sees (8-2048, default 128). */
  size?: number;
  /** Colour strength, 0-4 (default 1). */
  saturation?: number;
  /** 0 = most likely colour, 1 = mean of likely colours (default 0.38). */
  temperature?: number;
  /** Colour hints in input-image pixels. */
  hints?: Hint[];
  /** Also return the result encoded as PNG. */
  png?: boolean;
  /** Refuse inputs over this many megapixels (default 100). */
  maxMegapixels?: number;
  /** Colour edges follow the photo's edges (default true); false upsamples colour bilinearly. */
  edgeAware?: boolean;
  /** Spread each hint over its region after the network (default true); false leaves hints to the network alone. */
  propagateHints?: boolean;
}

export interface ColorizeResult {
  /** The colour image at the input's full size. */
  imageData: ImageData;
  width: number;
  height: number;
  /** The PNG file, when `png: true` was asked for. */
  png?: Uint8Array;
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
  colorize(input: Uint8Array | ArrayBuffer | Blob | ImageData, options?: ColorizeOptions): Promise<ColorizeResult>;
  /** The most likely distinct colours at one point, most likely first. */
  suggest(input: Uint8Array | ArrayBuffer | Blob | ImageData, options: SuggestOptions): Promise<Suggestion[]>;
}

/** Whether this browser gives us a WebGPU adapter. */
export declare function webgpuAvailable(): Promise<boolean>;

/** URL of the default model shipped beside this module. */
export declare const defaultModelUrl: URL;
