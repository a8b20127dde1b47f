// Images in and out through the browser's own codecs, so the WebAssembly module carries none:
// decoding with createImageBitmap (EXIF orientation applied, colour profiles converted to
// sRGB), pixels read through an OffscreenCanvas, and results encoded with convertToBlob.
// Works on the page's thread and in workers. `wasm` is the module's bindings (instance.js),
// whose header checks run before the browser decodes anything.

/** Encoded bytes of `source` (Uint8Array, ArrayBuffer or Blob/File), or null if it is none of them. */
export async function bytesOf(source) {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (typeof Blob !== 'undefined' && source instanceof Blob) return new Uint8Array(await source.arrayBuffer());
  return null;
}

/** Whether `value` is an instance of the global class `name` (absent in some environments). */
export const is = (name, value) => typeof globalThis[name] !== 'undefined' && value instanceof globalThis[name];

/** What an input (or a reference) may be, for the messages that refuse anything else. */
export const INPUT_TYPES = 'a Uint8Array, ArrayBuffer, Blob/File, ImageData, ImageBitmap, HTMLImageElement, '
  + 'HTMLCanvasElement or OffscreenCanvas';

/** Whether `value` is something the browser can draw: an image, a canvas or a bitmap. */
export function isDrawable(value) {
  return ['ImageBitmap', 'HTMLImageElement', 'HTMLCanvasElement', 'OffscreenCanvas', 'VideoFrame']
    .some((name) => is(name, value));
}

export const isImageData = (value) => is('ImageData', value);

/** Width and height of a drawable, waiting for an <img> to finish loading first. */
async function drawableSize(source) {
  if (is('HTMLImageElement', source)) {
    try {
      await source.decode();
    } catch (e) {
      throw new Error(`the <img> could not be decoded: ${e.message}`);
    }
    return { width: source.naturalWidth, height: source.naturalHeight };
  }
  if (is('VideoFrame', source)) return { width: source.displayWidth, height: source.displayHeight };
  return { width: source.width, height: source.height };
}

/** The RGBA pixels of a drawable as ImageData, its size checked against the limit first. */
export async function drawableToImageData(source, options, wasm) {
  const { width, height } = await drawableSize(source);
  wasm.checkSize(width, height, options);
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  context.drawImage(source, 0, 0, width, height);
  return context.getImageData(0, 0, width, height);
}

/**
 * Decode encoded image bytes into ImageData. The header is checked first (empty, not an
 * image, over the megapixel limit, a JPEG cut short), so a decompression bomb is refused
 * before the browser allocates its pixels.
 */
export async function decodeToImageData(bytes, options, wasm) {
  wasm.checkImage(bytes, options);
  let bitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes]), { imageOrientation: 'from-image', premultiplyAlpha: 'none' });
  } catch (e) {
    throw new Error(`the image could not be decoded by this browser (corrupt, or a format it does not read): ${e.message}`);
  }
  try {
    return await drawableToImageData(bitmap, options, wasm);
  } finally {
    bitmap.close();
  }
}

const TYPES = ['image/png', 'image/jpeg', 'image/webp'];

/**
 * The `encode` option as convertToBlob's options: 'image/png' | 'image/jpeg' | 'image/webp', or
 * { type, quality } with quality from 0 to 1 (JPEG and WebP). Throws on anything else.
 */
export function encodeOptions(encode) {
  const { type = 'image/png', quality } = typeof encode === 'string' ? { type: encode } : encode;
  if (!TYPES.includes(type)) throw new Error(`cannot encode as '${type}': use ${TYPES.join(', ')}`);
  if (quality !== undefined && !(quality >= 0 && quality <= 1)) {
    throw new Error(`encode quality ${quality} is out of range: use a number from 0 to 1`);
  }
  return quality === undefined ? { type } : { type, quality };
}

/** Encode ImageData with the browser's encoder; resolves to a Blob of the asked type. */
export async function encodeImageData(imageData, options) {
  const canvas = new OffscreenCanvas(imageData.width, imageData.height);
  canvas.getContext('2d').putImageData(imageData, 0, 0);
  const blob = await canvas.convertToBlob(options);
  if (blob.type !== options.type) throw new Error(`this browser cannot encode ${options.type} (it gave ${blob.type})`);
  return blob;
}

/** Whether two byte arrays hold the same bytes. */
export function sameBytes(a, b) {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
