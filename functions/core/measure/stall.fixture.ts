/** For tests of the probe's precision: holds this process's event loop, as a long GC or a slow import would. */

/** Busy for `ms`: no timer fires and no reply is handled meanwhile. */
export function holdEventLoop(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy
  }
}
