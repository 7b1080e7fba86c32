/** Helpers for the kernel tests: how far a kernel's output is from the reference kernel's. */

/** ‖a − b‖ / ‖b‖, with b the reference. */
export function relativeError(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < b.length; i++) {
    diff += (a[i]! - b[i]!) ** 2;
    norm += b[i]! ** 2;
  }
  return Math.sqrt(diff / norm);
}
