import httpRouterHandler, { type Route } from '@middy/http-router';
import type { Context } from 'aws-lambda';
import { methodNotAllowed, notFound } from './errors.js';
import type { HttpResult, JsonEvent } from './http-event.js';

export interface HttpRoute {
  method: 'GET' | 'POST';
  /** Path with `{name}` parameters, as in serverless.yml. */
  path: string;
  handler: (event: JsonEvent, context: Context) => Promise<HttpResult>;
}

const patternOf = (path: string) => new RegExp(`^${path.replace(/\{[^/]+\}/g, '[^/]+')}/?$`);

/**
 * @middy/http-router over the routes, answering 405 (with Allow) when the path exists under another
 * method and 404 when it does not exist at all.
 */
export function router(routes: readonly HttpRoute[]) {
  const patterns = routes.map((route) => ({ method: route.method, pattern: patternOf(route.path) }));
  return httpRouterHandler({
    routes: routes as unknown as Route<JsonEvent, HttpResult>[],
    notFoundResponse: ({ path }: { method: string; path: string }) => {
      const allowed = [...new Set(patterns.filter((p) => p.pattern.test(path)).map((p) => p.method))];
      throw allowed.length > 0 ? methodNotAllowed(allowed) : notFound();
    },
  }) as unknown as (event: JsonEvent, context: Context) => Promise<HttpResult>;
}
