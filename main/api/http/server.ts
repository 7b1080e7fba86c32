/**
 * `lafite serve`: the built renderer and the API over HTTP, for web mode and GPU boxes.
 * Bound to 127.0.0.1 by default; every request needs the random token printed in the URL
 * (query on first load, then an HttpOnly cookie; or `Authorization: Bearer`). Progress
 * reaches the browser as server-sent events.
 *
 *   POST /api/call/<method>   JSON input → CallResult
 *   GET  /api/events          text/event-stream of ApiEvent
 *   GET  /…                   the renderer (out/renderer)
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CallResult, ErrorPayload } from '../contract.ts';
import { HTTP_STATUS, toErrorPayload } from '../errors.ts';
import type { Service } from '../service.ts';

export interface ServeOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Default: 24 random bytes. */
  token?: string;
  /** Default: out/renderer of this checkout. */
  rendererDir?: string;
  /** Largest request body accepted. */
  maxBodyBytes?: number;
}

export interface RunningServer {
  url: string;
  host: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/**
 * The renderer's Content-Security-Policy, sent as a header (index.html carries the same in a
 * meta tag, less `frame-ancestors`, which only a header can set).
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
  "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

const COOKIE = 'lafite_token';
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export const defaultRendererDir = (): string => resolve(fileURLToPath(new URL('../../../out/renderer', import.meta.url)));

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

function sendError(res: ServerResponse, error: ErrorPayload): void {
  sendJson(res, HTTP_STATUS[error.code], { ok: false, error } satisfies CallResult<never>);
}

function sameToken(given: string | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieToken(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === COOKIE) return value.join('=');
  }
  return undefined;
}

/** Reads a request body; past `maxBytes` it keeps draining (so the 413 reaches the client) but keeps nothing. */
function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > maxBytes) reject(Object.assign(new Error('too large'), { tooLarge: true }));
      else resolveBody(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

export async function startServer(service: Service, options: ServeOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(24).toString('base64url');
  const rendererDir = options.rendererDir ?? defaultRendererDir();
  const maxBodyBytes = options.maxBodyBytes ?? 1 << 20;
  const sseClients = new Set<ServerResponse>();
  let port = options.port ?? 0;

  /** Refuses other Host names when bound to loopback (DNS rebinding). */
  function hostAllowed(req: IncomingMessage): boolean {
    if (!LOOPBACK.has(host)) return true;
    const name = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    return LOOPBACK.has(name);
  }

  async function handleCall(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    if (req.method !== 'POST') return sendError(res, { code: 'invalid_input', message: 'API calls are POST requests' });
    let input: unknown;
    try {
      const body = await readBody(req, maxBodyBytes);
      input = body.trim() === '' ? {} : JSON.parse(body);
    } catch (error) {
      const tooLarge = (error as { tooLarge?: boolean }).tooLarge;
      const message = tooLarge ? `request body over ${maxBodyBytes} bytes` : 'request body is not valid JSON';
      return sendJson(res, tooLarge ? 413 : 400, { ok: false, error: { code: 'invalid_input', message } });
    }
    try {
      const result = await service.callUntyped(decodeURIComponent(method), input);
      sendJson(res, 200, { ok: true, result } satisfies CallResult<unknown>);
    } catch (error) {
      sendError(res, toErrorPayload(error));
    }
  }

  function handleEvents(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    res.write(': connected\n\n');
    sseClients.add(res);
    req.on('close', () => sseClients.delete(res));
  }

  function handleStatic(res: ServerResponse, pathname: string): void {
    const relative = normalize(decodeURIComponent(pathname === '/' ? '/index.html' : pathname)).replace(/^[/\\]+/, '');
    const file = join(rendererDir, relative);
    if (!file.startsWith(rendererDir + sep)) return sendError(res, { code: 'not_found', message: 'not found' });
    if (!existsSync(join(rendererDir, 'index.html'))) {
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`The renderer is not built (${rendererDir} is missing): run \`npm run build\`.`);
      return;
    }
    if (!existsSync(file) || !statSync(file).isFile()) return sendError(res, { code: 'not_found', message: `no file ${pathname}` });
    res.writeHead(200, {
      'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-cache',
    });
    createReadStream(file).pipe(res);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!hostAllowed(req)) return sendError(res, { code: 'unauthorized', message: 'unexpected Host header' });
    const bearer = req.headers.authorization?.replace(/^Bearer\s+/i, '');
    const queryToken = url.searchParams.get('token') ?? undefined;
    const authorised = [bearer, cookieToken(req), queryToken].some((given) => sameToken(given, token));
    if (!authorised) {
      return sendError(res, { code: 'unauthorized', message: 'missing or wrong token: open the URL that `lafite serve` printed' });
    }
    if (sameToken(queryToken, token)) {
      res.setHeader('Set-Cookie', `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    }
    if (url.pathname.startsWith('/api/call/')) return handleCall(req, res, url.pathname.slice('/api/call/'.length));
    if (url.pathname === '/api/events') return handleEvents(req, res);
    if (url.pathname.startsWith('/api/')) return sendError(res, { code: 'not_found', message: `no route ${url.pathname}` });
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, { code: 'invalid_input', message: 'only GET here' });
    handleStatic(res, url.pathname);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, toErrorPayload(error));
      else res.end();
    });
  });
  const unsubscribe = service.subscribe((event) => {
    const frame = `data: ${JSON.stringify(event)}\n\n`;
    sseClients.forEach((client) => client.write(frame));
  });
  const keepAlive = setInterval(() => sseClients.forEach((client) => client.write(': keep-alive\n\n')), 15_000);
  keepAlive.unref();

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolveListen());
  });
  port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}/?token=${token}`,
    host,
    port,
    token,
    async close() {
      unsubscribe();
      clearInterval(keepAlive);
      sseClients.forEach((client) => client.end());
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
