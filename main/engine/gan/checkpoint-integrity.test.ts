import { readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../tests/helpers/temp.ts';
import { readCheckpointState, readCheckpointValues, restoreCheckpoint, writeCheckpoint } from './checkpoint.ts';
import type { NamedVariables } from './layers.ts';

const dir = tempDir();
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => dir.remove());

/** A small network: named variables of known, non-zero values. */
function network(seed: number): NamedVariables {
  return new Map([
    ['conv/weight', tf.variable(tf.randomNormal([3, 3, 4, 8], 0, 1, 'float32', seed))],
    ['conv/bias', tf.variable(tf.fill([8], 0.5 + seed))],
    ['dense/weight', tf.variable(tf.randomNormal([64, 32], 0, 1, 'float32', seed + 1))],
  ]);
}

async function written(name: string): Promise<string> {
  const file = `${dir.path}/${name}/checkpoint.bin`;
  await writeCheckpoint(file, { networks: { g: network(1) }, optimizers: {}, state: { step: 7 } });
  return file;
}

describe('checkpoint files are verified on read', () => {
  it('round-trips, and leaves no temporary file beside it', async () => {
    const file = await written('whole');
    const target = network(9);
    expect(await restoreCheckpoint(file, { networks: { g: target }, optimizers: {} })).toEqual({ step: 7 });
    expect(Array.from(target.get('conv/bias')!.dataSync())).toEqual(new Array(8).fill(1.5));
    expect(readdirSync(`${dir.path}/whole`)).toEqual(['checkpoint.bin']);
  });

  it('refuses a checkpoint cut short, at any point, instead of loading zeros', async () => {
    const file = await written('cut');
    const size = readFileSync(file).length;
    for (const fraction of [0.3, 0.9, 0.999]) {
      const copy = `${dir.path}/cut/copy-${fraction}.bin`;
      writeFileSync(copy, readFileSync(file));
      truncateSync(copy, Math.floor(size * fraction));
      await expect(restoreCheckpoint(copy, { networks: { g: network(2) }, optimizers: {} })).rejects.toMatchObject({
        code: 'conflict',
        message: expect.stringMatching(/is damaged/),
      });
      await expect(readCheckpointState(copy)).rejects.toThrow(/is damaged/);
    }
    truncateSync(file, 5);
    await expect(readCheckpointState(file)).rejects.toThrow(/not a Lafite checkpoint/);
  });

  it('refuses one whose data was changed after it was written (the checksum)', async () => {
    const file = await written('flipped');
    const bytes = readFileSync(file);
    bytes[bytes.length - 10]! ^= 0xff;
    writeFileSync(file, bytes);
    await expect(readCheckpointValues(file, ['g/conv/bias'])).rejects.toThrow(/does not match the checksum/);
  });
});
