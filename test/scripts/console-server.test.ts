import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleServer } from '../../scripts/console/static-server.js';

/** `npm run console`'s server: the console's files, read-only, and nothing beside them. */

const parent = mkdtempSync(path.join(tmpdir(), 'console-server-'));
const root = path.join(parent, 'console');
mkdirSync(root);
writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>console</title>');
writeFileSync(path.join(root, 'console.js'), 'void 0;');
writeFileSync(path.join(parent, 'secret.txt'), 'not for the browser');

const server = consoleServer(root);
let port: number;

beforeAll(() =>
  new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve())).then(() => {
    port = (server.address() as AddressInfo).port;
  }),
);
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** A raw request, so that the path reaches the server exactly as written (no URL normalising). */
function get(rawPath: string, method = 'GET'): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: rawPath, method }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += String(chunk)));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the console server', () => {
  it('serves the page at / with its content type and a policy that allows no connection', async () => {
    const response = await get('/');

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-security-policy']).toContain("connect-src 'none'");
    expect(response.body).toContain('<title>console</title>');
  });

  it('serves the script as JavaScript', async () => {
    const response = await get('/console.js');

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/javascript; charset=utf-8');
  });

  it.each(['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%00index.html', '/missing.js', '/%E0%A4%A'])(
    'answers %s with 404, never a file outside the console',
    async (rawPath) => {
      const response = await get(rawPath);

      expect(response.status).toBe(404);
      expect(response.body).not.toContain('not for the browser');
    },
  );

  it('refuses anything but GET and HEAD with 405 and Allow', async () => {
    const response = await get('/', 'POST');

    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('GET, HEAD');
  });
});
