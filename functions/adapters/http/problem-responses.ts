import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { HttpError, internalError } from './errors.js';
import type { HttpEvent, HttpResult } from './http-event.js';

interface ProblemLogger {
  warn(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}

/**
 * Turns any error into an RFC 9457 problem response. Client errors (HttpError with `expose`) show
 * their detail and the fields at fault; anything else becomes a bare 500 with the request id. The
 * log line names the error's class and status, never its message, which could quote input.
 * Used in place of @middy/http-error-handler, which puts the message in a text body and logs the
 * whole error.
 */
export function problemResponses(logger: ProblemLogger): MiddlewareObj<HttpEvent, HttpResult, Error, Context> {
  const problemResponsesOnError: MiddlewareObj<HttpEvent, HttpResult, Error, Context>['onError'] = (request) => {
    const requestId = request.context?.awsRequestId;
    const known = request.error instanceof HttpError && request.error.expose;
    const error = known ? (request.error as HttpError) : internalError();
    if (known) {
      logger.warn('request rejected', { statusCode: error.statusCode, problems: error.problems.length });
    } else {
      logger.error('request failed', { statusCode: 500, errorType: request.error?.name ?? 'unknown' });
    }
    request.response = {
      statusCode: error.statusCode,
      headers: { ...request.response?.headers, ...error.headers, 'Content-Type': 'application/problem+json' },
      body: JSON.stringify(error.toBody(requestId)),
    };
  };
  return { onError: problemResponsesOnError };
}
