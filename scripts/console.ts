/**
 * `npm run console`: serves the review console built by `npm run build` (dist/console/) on
 * 127.0.0.1, and prints its URL. The page needs no server (dist/console/index.html opens from a
 * file too); this is for a browser or a colleague's tablet that prefers an http URL.
 *
 *   tsx scripts/console.ts [--port <port>]    (default 4173; 0 picks a free port)
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { consoleServer } from './console/static-server.js';

const root = path.resolve(import.meta.dirname, '../dist/console');
const { values: args } = parseArgs({ options: { port: { type: 'string', default: process.env.CONSOLE_PORT ?? '4173' } } });
const port = Number(args.port);

if (!existsSync(path.join(root, 'index.html'))) {
  console.error('No review console in dist/console/: run `npm run build` first.');
  process.exit(1);
}
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a port number (0-65535), not "${args.port}".`);
  process.exit(1);
}

const server = consoleServer(root);
server.once('error', (error: NodeJS.ErrnoException) => {
  console.error(
    error.code === 'EADDRINUSE'
      ? `Port ${port} is taken on 127.0.0.1: try \`npm run console -- --port 0\` for a free one.`
      : `The console server could not start: ${error.message}`,
  );
  process.exit(1);
});
// Loopback only: the console is for the person at this machine (facts never leave the page anyway).
server.listen(port, '127.0.0.1', () => {
  const { port: bound } = server.address() as { port: number };
  console.log(`http://127.0.0.1:${bound}/`);
  console.error('Review console served from dist/console/ (Ctrl-C to stop)');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => server.close(() => process.exit(0)));
