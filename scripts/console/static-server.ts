import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';

/**
 * A static file server for the review console, for `npm run console`: GET and HEAD of the files of
 * one folder, nothing else. The page makes no request of its own; the headers repeat its
 * Content-Security-Policy, so even a page changed by hand could not send the facts anywhere.
 */

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
};

const CONSOLE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

function refuse(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { ...CONSOLE_HEADERS, 'content-type': 'text/plain; charset=utf-8', ...headers });
  response.end(`${text}\n`);
}

/** The file of `root` a request path names, or undefined when it names none (or lies outside root). */
function fileFor(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0]!);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const file = path.resolve(root, `.${path.posix.normalize(`/${decoded}`)}`);
  const inside = file === root || file.startsWith(`${root}${path.sep}`);
  if (!inside) return undefined;
  const target = decoded.endsWith('/') ? path.join(file, 'index.html') : file;
  try {
    return statSync(target).isFile() ? target : undefined;
  } catch {
    return undefined;
  }
}

/** A server for the files of `root` (an absolute path); call listen() on it. */
export function consoleServer(root: string): Server {
  const base = path.resolve(root);
  return createServer(function serveConsoleFile(request, response) {
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return refuse(response, 405, 'Method not allowed', { allow: 'GET, HEAD' });
    const file = fileFor(base, request.url ?? '/');
    if (file === undefined) return refuse(response, 404, 'Not found');
    response.writeHead(200, {
      ...CONSOLE_HEADERS,
      'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
      'content-length': statSync(file).size,
    });
    if (request.method === 'HEAD') return response.end();
    createReadStream(file).pipe(response);
  });
}
