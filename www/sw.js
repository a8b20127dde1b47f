// Offline support: the page, the WebAssembly module and the model are cached on first visit
// and served from the cache afterwards (refreshed in the background when online).
const CACHE = 'burn-colorize-v8';
const FILES = [
  './', 'index.html', 'app.js', 'hints.js', 'reference.js', 'worker.js', 'style.css',
  'pkg/colorize.js', 'pkg/instance.js', 'pkg/pixels.js', 'pkg/abort.js', 'pkg/wasm/burn_colorize.js', 'pkg/wasm/burn_colorize_bg.wasm', 'pkg/model.bclz',
];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(caches.open(CACHE).then(async (cache) => {
    const cached = await cache.match(request, { ignoreSearch: true });
    const refresh = fetch(request).then((response) => {
      if (response.ok) cache.put(request, response.clone());
      return response;
    });
    if (cached) {
      refresh.catch(() => {});
      return cached;
    }
    return refresh;
  }));
});
