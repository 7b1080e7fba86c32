/**
 * Augmentation that keeps what an image means (Lafite trains without color changes, so the
 * text still describes the picture): an integer translation with zero padding, and a cutout
 * square. Applied to real and fake images alike before the discriminator. Seeded.
 *
 * @example
 *   const y = augment(x, { translate: 0.125, cutout: 0.25, seed: 7 });
 */
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../random.ts';

export interface AugmentOptions {
  /** Largest shift as a fraction of the side (0 turns it off). */
  translate: number;
  /** Side of the cut-out square as a fraction of the side (0 turns it off). */
  cutout: number;
  seed: number;
}

/** x [N, H, W, C] → the same shape: each image shifted and cut independently. */
export function augment(x: tf.Tensor4D, options: AugmentOptions): tf.Tensor4D {
  const [, h, w, c] = x.shape;
  const rng = mulberry32(options.seed);
  const maxShift = Math.round(options.translate * h);
  const cut = Math.round(options.cutout * h);
  return tf.tidy(() => {
    const images = tf.unstack(x).map((image) => {
      let y = image as tf.Tensor3D;
      if (maxShift > 0) {
        const dy = Math.floor(rng() * (2 * maxShift + 1)) - maxShift;
        const dx = Math.floor(rng() * (2 * maxShift + 1)) - maxShift;
        const padded = tf.pad(y, [
          [maxShift, maxShift],
          [maxShift, maxShift],
          [0, 0],
        ]);
        y = tf.slice(padded, [maxShift - dy, maxShift - dx, 0], [h, w, c]);
      }
      if (cut > 0) {
        const top = Math.floor(rng() * (h - cut + 1));
        const left = Math.floor(rng() * (w - cut + 1));
        const mask = tf.pad(
          tf.zeros([cut, cut, 1]),
          [
            [top, h - cut - top],
            [left, w - cut - left],
            [0, 0],
          ],
          1,
        ); // 0 inside the square
        y = tf.mul(y, mask);
      }
      return y;
    });
    return tf.stack(images) as tf.Tensor4D;
  });
}
