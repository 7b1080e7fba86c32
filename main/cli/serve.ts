/** `lafite serve`: runs the HTTP server until Ctrl+C or SIGTERM. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, defaultRendererDir } from '../api/http/server.ts';
import { openService } from '../api/service.ts';
import type { OutputOptions } from './output.ts';

export async function serve(globals: { dataDir?: string; backend?: string }, options: { host: string; port: number }, output: OutputOptions): Promise<void> {
  const service = openService({ ...(globals.dataDir ? { dataDir: globals.dataDir } : {}), ...(globals.backend ? { backend: globals.backend } : {}) });
  // A backend that cannot load is an error now, not at the first request.
  const info = await service.call('info', {});
  const rendererDir = defaultRendererDir();
  if (!existsSync(join(rendererDir, 'index.html'))) {
    process.stderr.write(`lafite: the renderer is not built (${rendererDir}); the API works, the page does not: run \`npm run build\`\n`);
  }
  const server = await startServer(service, { host: options.host, port: options.port, rendererDir });
  if (output.json) {
    process.stdout.write(`${JSON.stringify({ url: server.url, host: server.host, port: server.port, token: server.token, backend: info.backend })}\n`);
  } else {
    process.stdout.write(`Lafite Studio is at ${server.url}\n(backend ${info.backend}, data ${service.dataDir}; Ctrl+C stops)\n`);
  }
  if (options.host !== '127.0.0.1' && options.host !== 'localhost' && options.host !== '::1') {
    process.stderr.write(`lafite: bound to ${options.host}: anyone who can reach it and has the token can use it\n`);
  }
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  await service.close();
}
