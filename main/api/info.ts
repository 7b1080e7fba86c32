/** `info`: versions, the compute backends and where the data lives. */
import * as tf from '@tensorflow/tfjs';
import { activeBackend, probeBackends } from '../engine/backend.ts';
import { schemaVersion, type Db } from '../store/db.ts';
import type { InfoResult } from '../contract/index.ts';
import { APP_VERSION } from './version.ts';

async function onnxruntimeVersion(): Promise<string> {
  try {
    const ort = await import('onnxruntime-node');
    return ort.env.versions.node ?? ort.env.versions.common;
  } catch (error) {
    return `unavailable (${(error as Error).message.split('\n')[0]})`;
  }
}

export async function getInfo(db: Db, paths: { dataDir: string; dbPath: string }): Promise<InfoResult> {
  const backend = await activeBackend();
  return {
    version: APP_VERSION,
    backend: backend.id,
    backends: await probeBackends(),
    tfjsVersion: tf.version.tfjs,
    onnxruntimeVersion: await onnxruntimeVersion(),
    nodeVersion: process.versions.node,
    dataDir: paths.dataDir,
    dbPath: paths.dbPath,
    schemaVersion: schemaVersion(db),
  };
}
