// Shared by the browser tests: a server for target/site on a free loopback port, Debian's
// Chromium with a (SwiftShader) WebGPU adapter, and small generated PNG images.
import { spawn } from 'node:child_process';
import { after, before } from 'node:test';
import { deflateSync } from 'node:zlib';
import { chromium } from 'playwright-core';

export const ROOT = new URL('../../', import.meta.url).pathname;

export async function startServer(dir = 'target/site') {
  const server = spawn('python3', ['scripts/serve.py', '--dir', dir, '--port', '0', '--quiet'], { cwd: ROOT });
  const url = await new Promise((resolve, reject) => {
    server.stdout.on('data', (chunk) => {
      const match = /http:\/\/127\.0\.0\.1:\d+\//.exec(String(chunk));
      if (match) resolve(match[0]);
    });
    server.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { url, close: () => server.kill() };
}

/**
 * For a test file: start the site server and Chromium once before its tests and stop them
 * after. Returns an object whose `server` and `browser` are set once the tests run.
 */
export function useBrowser() {
  const env = {};
  before(async () => {
    env.server = await startServer();
    env.browser = await launch();
  });
  after(async () => {
    await env.browser?.close();
    env.server?.close();
  });
  return env;
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

function crc32(bytes) {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return ~crc >>> 0;
}

/** A PNG chunk: length, type, data and CRC. */
export function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** A grey PNG of `bitDepth` 8 or 16: a gradient with a bright disc and a dark bar (a "grey photo"). */
export function greyPng(width, height, bitDepth = 8) {
  const bytes = bitDepth / 8;
  const rows = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * bytes);
    for (let x = 0; x < width; x++) {
      const disc = (x - width * 0.6) ** 2 + (y - height * 0.4) ** 2 < (width * 0.2) ** 2;
      const bar = y > height * 0.75;
      const value = disc ? 230 : bar ? 40 : Math.round(60 + (150 * x) / width);
      if (bytes === 1) row[1 + x] = value;
      else row.writeUInt16BE(value * 257, 1 + 2 * x);
    }
    rows.push(row);
  }
  return Buffer.concat([pngHeader(width, height, bitDepth), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

/** A PNG signature and header claiming `width`×`height` grey pixels, and no pixel data. */
export function pngHeader(width, height, bitDepth = 8) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = bitDepth;
  header[9] = 0; // greyscale
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header)]);
}

/** Width and height from a PNG's header. */
export function pngSize(bytes) {
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** Mean chroma proxy (mean |r-g| + |g-b|) of a PNG, decoded by the browser itself. */
export async function colourfulnessInPage(page, bytes) {
  return page.evaluate(async (b64) => {
    const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([data], { type: 'image/png' }));
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d');
    ctx.drawImage(bitmap, 0, 0);
    const px = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
    let sum = 0;
    for (let i = 0; i < px.length; i += 4) sum += Math.abs(px[i] - px[i + 1]) + Math.abs(px[i + 1] - px[i + 2]);
    return sum / (px.length / 4);
  }, Buffer.from(bytes).toString('base64'));
}
