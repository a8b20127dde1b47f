// What a first visit to the page downloads, file by file: raw, gzip and brotli sizes.
import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** Every file the page fetches before the first photo can be coloured (sw.js caches the same). */
export const FIRST_VISIT = [
  'index.html', 'app.js', 'hints.js', 'worker.js', 'style.css', 'sw.js',
  'pkg/colorize.js', 'pkg/instance.js', 'pkg/pixels.js', 'pkg/wasm/burn_colorize.js', 'pkg/wasm/burn_colorize_bg.wasm', 'pkg/model.bclz',
];

const mb = (n) => `${(n / 1e6).toFixed(3)} MB`;

/** Print each file's sizes and the totals, for the site in `dir`; returns the totals. */
export function printSizes(dir) {
  const total = { raw: 0, gzip: 0, brotli: 0 };
  for (const file of FIRST_VISIT) {
    const bytes = readFileSync(`${dir}/${file}`);
    const size = {
      raw: bytes.length,
      gzip: gzipSync(bytes, { level: 9 }).length,
      brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    };
    for (const key of Object.keys(total)) total[key] += size[key];
    console.log(`  ${file.padEnd(32)} ${mb(size.raw).padStart(11)} raw ${mb(size.gzip).padStart(11)} gzip ${mb(size.brotli).padStart(11)} brotli`);
  }
  console.log(`first visit downloads: ${mb(total.raw)} raw, ${mb(total.gzip)} gzip, ${mb(total.brotli)} brotli`);
  return total;
}
