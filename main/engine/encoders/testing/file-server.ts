/**
 * Test fixture: a local HTTP file server on 127.0.0.1 (a random port) that serves files
 * from memory with `Range: bytes=N-` support, records every request, and can misbehave on
 * purpose: drop the connection partway through a file, or serve other bytes than expected.
 *
 * @example
 *   const server = await startFileServer({ '/repo/resolve/main/config.json': bytes });
 *   server.dropOnce('/repo/resolve/main/config.json', 100); // the next full request stops after 100 bytes
 *   await server.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ServedRequest {
  method: string;
  path: string;
  range?: string;
}

export interface FileServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  requests: ServedRequest[];
  /** Adds or replaces a file. */
  set(path: string, bytes: Uint8Array): void;
  /** The next request for `path` sends its headers in full, then only `afterBytes` bytes, then drops the connection. */
  dropOnce(path: string, afterBytes: number): void;
  close(): Promise<void>;
}

export async function startFileServer(files: Record<string, Uint8Array>): Promise<FileServer> {
  const served = new Map(Object.entries(files));
  const drops = new Map<string, number>();
  const requests: ServedRequest[] = [];

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push({ method: req.method ?? 'GET', path, ...(req.headers.range ? { range: req.headers.range } : {}) });
    const body = served.get(path);
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    let start = 0;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range) {
      start = Number(range[1]);
      if (start >= body.length) {
        res.writeHead(416, { 'Content-Range': `bytes */${body.length}` }).end();
        return;
      }
      res.writeHead(206, { 'Content-Length': body.length - start, 'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}`, 'Accept-Ranges': 'bytes' });
    } else {
      res.writeHead(200, { 'Content-Length': body.length, 'Accept-Ranges': 'bytes' });
    }
    const drop = drops.get(path);
    if (drop !== undefined) {
      drops.delete(path);
      res.write(body.subarray(start, start + drop), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    res.end(body.subarray(start));
  };

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    set: (path, bytes) => served.set(path, bytes),
    dropOnce: (path, afterBytes) => drops.set(path, afterBytes),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
