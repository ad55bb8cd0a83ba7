import middy, { type MiddlewareObj } from '@middy/core';
import httpCors from '@middy/http-cors';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpSecurityHeaders from '@middy/http-security-headers';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { logger } from '../logger.js';
import type { HttpResult, JsonEvent } from './http-event.js';
import { jsonBody } from './json-body.js';
import { problemResponses } from './problem-responses.js';

/** Request limits of an HTTP entry point: a larger body is 413, deeper JSON 400 (facts.md). */
export interface RequestLimits {
  maxBodyBytes: number;
  maxJsonDepth: number;
}

/** `/evaluate`: patient facts, a few KB at most. */
const FACTS_LIMITS: RequestLimits = Object.freeze({ maxBodyBytes: 64 * 1024, maxJsonDepth: 16 });

const allowedOrigins = (process.env.CORS_ALLOWED_ORIGINS ?? '*')
  .split(',')
  .map((o) => o.trim())
  .filter(Boolean);

/**
 * The middy chain every HTTP function shares, with `guards` (authentication) run before the body is
 * read. onError runs in reverse order, so problemResponses builds the error response first and the
 * CORS and security headers are added to it afterwards. CORS answers preflights itself.
 */
export function httpService(
  handler: (event: JsonEvent, context: Context) => Promise<HttpResult>,
  guards: MiddlewareObj<JsonEvent>[] = [],
  limits: RequestLimits = FACTS_LIMITS,
) {
  return middy<JsonEvent, HttpResult, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(httpHeaderNormalizer())
    .use(httpSecurityHeaders())
    .use(
      httpCors({
        origins: allowedOrigins,
        headers: 'Content-Type, Authorization',
        methods: 'GET, POST, OPTIONS',
        disableBeforePreflightResponse: false,
      }),
    )
    .use(problemResponses(logger))
    .use(guards as MiddlewareObj<JsonEvent, HttpResult, Error, Context>[])
    .use(jsonBody({ maxBytes: limits.maxBodyBytes, maxDepth: limits.maxJsonDepth }))
    .handler(handler);
}
