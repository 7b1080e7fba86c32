/**
 * One contract, three adapters: the same calls through the service itself, Electron IPC
 * (bound to a stand-in for ipcMain, since Electron cannot start here), HTTP (`lafite serve`
 * in a child process) and the CLI give the same answers and the same errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import type { CallResult, InfoResult, JobRecord } from '../../main/contract/index.ts';
import { bindIpc, IPC_CALL, type IpcInvokeEvent, type IpcMainLike } from '../../main/api/ipc.ts';
import { openService, type Service } from '../../main/api/service.ts';
import { runCli, startServe } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

type Handler = (event: IpcInvokeEvent, ...args: unknown[]) => Promise<unknown>;

/** ipcMain's handle/invoke pair, in memory. */
class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Handler>();
  handle(channel: string, listener: Handler): void {
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  invoke(frameUrl: string, ...args: unknown[]): Promise<CallResult<unknown>> {
    return this.handlers.get(IPC_CALL)!({ senderFrame: { url: frameUrl } }, ...args) as Promise<CallResult<unknown>>;
  }
}

const MISSING = '00000000-0000-0000-0000-000000000000';
const APP = 'file:///app/renderer/index.html';

describe('the API through every adapter', () => {
  const dir = tempDir();
  const env = { LAFITE_BACKEND: 'wasm' };
  let service: Service;
  let ipc: FakeIpcMain;
  let server: { child: ChildProcess; url: string; token: string; port: number };

  const http = async (method: string, input: unknown): Promise<{ status: number; body: CallResult<unknown> }> => {
    const res = await fetch(`http://127.0.0.1:${server.port}/api/call/${method}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(input),
    });
    return { status: res.status, body: (await res.json()) as CallResult<unknown> };
  };
  const cli = (...args: string[]) => runCli(['--json', '--data-dir', dir.path, ...args], env);

  beforeAll(async () => {
    service = openService({ dataDir: dir.path, backend: 'wasm' });
    ipc = new FakeIpcMain();
    bindIpc(ipc, service, { isTrustedSender: (url) => url.startsWith('file:///app/renderer/'), send: () => undefined });
    server = await startServe(['--data-dir', dir.path, '--backend', 'wasm']);
  });
  afterAll(async () => {
    server.child.kill('SIGTERM');
    await service.close();
    dir.remove();
  });

  it('info: same backend, data folder and schema everywhere', async () => {
    const direct = await service.call('info', {});
    const viaIpc = (await ipc.invoke(APP, 'info', {})) as { ok: true; result: InfoResult };
    const viaHttp = (await http('info', {})).body as { ok: true; result: InfoResult };
    const viaCli = JSON.parse((await cli('info')).stdout) as InfoResult;
    for (const info of [viaIpc.result, viaHttp.result, viaCli]) {
      expect(info).toMatchObject({ backend: direct.backend, dataDir: direct.dataDir, dbPath: direct.dbPath, schemaVersion: direct.schemaVersion, version: direct.version });
      expect(info.backends.map((b) => [b.id, b.available])).toEqual(direct.backends.map((b) => [b.id, b.available]));
    }
    expect(Object.keys(viaCli)).toEqual(expect.arrayContaining(['version', 'backend', 'backends', 'tfjsVersion', 'onnxruntimeVersion', 'dataDir', 'dbPath', 'schemaVersion']));
  });

  it('a job started through one adapter is seen by the others (one database)', async () => {
    const started = (await http('jobs.start', { kind: 'backend-benchmark', input: { size: 16, repeats: 1 } })).body as { ok: true; result: JobRecord };
    const id = started.result.id;
    const fromIpc = (await ipc.invoke(APP, 'jobs.get', { id })) as { ok: true; result: JobRecord };
    expect(fromIpc.result.kind).toBe('backend-benchmark');
    const fromCli = JSON.parse((await cli('jobs', 'show', id)).stdout) as JobRecord;
    expect(fromCli.id).toBe(id);
    expect((await service.call('jobs.list', {})).map((j) => j.id)).toContain(id);
  });

  it('the same error, mapped to each transport', async () => {
    const direct = await service.call('jobs.get', { id: MISSING }).catch((e: unknown) => e);
    const message = `no job '${MISSING}' (see \`lafite jobs list\`)`;
    expect(direct).toMatchObject({ code: 'not_found', message });
    expect(await ipc.invoke(APP, 'jobs.get', { id: MISSING })).toEqual({ ok: false, error: { code: 'not_found', message } });
    expect(await http('jobs.get', { id: MISSING })).toEqual({ status: 404, body: { ok: false, error: { code: 'not_found', message } } });
    const viaCli = await cli('jobs', 'show', MISSING);
    expect(viaCli.code).toBe(3);
    expect(viaCli.stderr).toContain(`lafite: no job '${MISSING}'`);
  });

  it('bad input names the field everywhere', async () => {
    const input = { kind: 'backend-benchmark', input: { size: 3 } };
    const viaIpc = await ipc.invoke(APP, 'jobs.start', input);
    const viaHttp = await http('jobs.start', input);
    expect(viaIpc).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'input.size' } });
    expect(viaHttp.status).toBe(400);
    expect(viaHttp.body).toEqual(viaIpc);
    const viaCli = await cli('backend', 'bench', '--size', '3');
    expect(viaCli.code).toBe(2);
    expect(viaCli.stderr).toMatch(/field 'size'/);
  });

  it('IPC refuses calls from frames that are not the app', async () => {
    const result = await ipc.invoke('https://evil.example/', 'info', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(await ipc.invoke(APP, 42, {})).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });
});
