// Cancelling calls with an AbortSignal, the same way on the page's thread (colorize.js) and in
// worker mode (worker.js).

/** The rejection of a cancelled call: a DOMException named AbortError, as fetch() gives. */
export function abortError(signal, what) {
  const reason = signal.reason instanceof Error && signal.reason.name !== 'AbortError' ? `: ${signal.reason.message}` : '';
  return new DOMException(`${what} was cancelled${reason}`, 'AbortError');
}

/**
 * `promise`, or a rejection as soon as `signal` aborts (whichever comes first); `onAbort`, if
 * given, also runs then (to tell whoever does the work to stop).
 */
export function abortable(promise, signal, what, onAbort) {
  if (!signal) return promise;
  return new Promise((resolve, reject) => {
    const aborted = () => {
      onAbort?.();
      reject(abortError(signal, what));
    };
    if (signal.aborted) aborted();
    else signal.addEventListener('abort', aborted, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', aborted));
  });
}
