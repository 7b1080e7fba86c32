/**
 * `lafite serve`: the built renderer and the API over HTTP, for web mode and GPU boxes.
 * Bound to 127.0.0.1 by default; every request needs the random token printed in the URL
 * (query on first load, then an HttpOnly cookie; or `Authorization: Bearer`). Progress
 * reaches the browser as server-sent events.
 *
 * Cookies ignore ports, so a page served by anything else on this machine (another local port)
 * gets our cookie sent along with its requests. The API therefore answers only requests that
 * cannot come from another origin's page: no foreign `Origin`, no cross-origin `Sec-Fetch-Site`,
 * and, when the cookie is all that authorises a call, a JSON body (`Content-Type:
 * application/json` makes a cross-origin request need a preflight, which this server never grants).
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
import type { CallResult, ErrorPayload } from '../../contract/index.ts';
import { HTTP_STATUS, toErrorPayload } from '../../contract/errors.ts';
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

/** The cookie's name carries the port: two servers on one host (cookies ignore ports) keep their own. */
const cookieName = (port: number): string => `lafite_token_${port}`;
/** Sec-Fetch-Site values of requests a page of our own origin (or the user, typing the URL) makes. */
const OWN_FETCH_SITES = new Set(['same-origin', 'none']);
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

function cookieToken(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/** The pathname decoded, or undefined where its percent-encoding is malformed (`/%`, a cut UTF-8 sequence). */
function decodePath(pathname: string): string | undefined {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
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

  /**
   * Whether a browser says this API request comes from a page of another origin: another local
   * port, a file, a site. Browsers send `Origin` on every POST and `Sec-Fetch-Site` on every
   * request; tools that send neither (curl, the tests' fetch) are not pages.
   */
  function crossOrigin(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${req.headers.host ?? ''}`) return true;
    const site = req.headers['sec-fetch-site'];
    return site !== undefined && !OWN_FETCH_SITES.has(String(site));
  }

  /** Refuses other Host names when bound to loopback (DNS rebinding). */
  function hostAllowed(req: IncomingMessage): boolean {
    if (!LOOPBACK.has(host)) return true;
    const name = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    return LOOPBACK.has(name);
  }

  async function handleCall(req: IncomingMessage, res: ServerResponse, method: string, byCookieOnly: boolean): Promise<void> {
    if (req.method !== 'POST') return sendError(res, { code: 'invalid_input', message: 'API calls are POST requests' });
    // A form or a no-cors fetch can send the cookie with a text/plain body; only JSON is a call.
    if (byCookieOnly && !/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
      return sendJson(res, 415, { ok: false, error: { code: 'invalid_input', message: 'API calls send Content-Type: application/json' } });
    }
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
      const result = await service.callUntyped(method, input);
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
    const relative = normalize(pathname === '/' ? '/index.html' : pathname).replace(/^[/\\]+/, '');
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
    const cookie = cookieName(port);
    const byHeaderOrQuery = [bearer, queryToken].some((given) => sameToken(given, token));
    const byCookie = sameToken(cookieToken(req, cookie), token);
    if (!byHeaderOrQuery && !byCookie) {
      return sendError(res, { code: 'unauthorized', message: 'missing or wrong token: open the URL that `lafite serve` printed' });
    }
    const pathname = decodePath(url.pathname);
    if (pathname === undefined) return sendError(res, { code: 'invalid_input', message: 'malformed percent-encoding in the path' });
    if (pathname.startsWith('/api/') && crossOrigin(req)) {
      return sendJson(res, 403, { ok: false, error: { code: 'unauthorized', message: 'the API answers only pages of its own origin' } });
    }
    if (sameToken(queryToken, token)) {
      res.setHeader('Set-Cookie', `${cookie}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    }
    if (pathname.startsWith('/api/call/')) return handleCall(req, res, pathname.slice('/api/call/'.length), !byHeaderOrQuery);
    if (pathname === '/api/events') return handleEvents(req, res);
    if (pathname.startsWith('/api/')) return sendError(res, { code: 'not_found', message: `no route ${pathname}` });
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, { code: 'invalid_input', message: 'only GET here' });
    handleStatic(res, pathname);
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
