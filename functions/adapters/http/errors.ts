import type { FieldProblem } from '../../core/index.js';

/**
 * HTTP errors in middy's manner: a status code and an `expose` flag, so that only client errors
 * show their message. Bodies are RFC 9457 problem details; `errors` names each offending field.
 */

export interface ProblemBody {
  type: 'about:blank';
  title: string;
  status: number;
  detail: string;
  errors?: FieldProblem[];
  requestId?: string;
}

/** At most this many field problems go into one response; the count of the rest is stated. */
const MAX_REPORTED_PROBLEMS = 50;

export class HttpError extends Error {
  readonly expose: boolean;

  constructor(
    readonly statusCode: number,
    readonly title: string,
    readonly detail: string,
    readonly problems: FieldProblem[] = [],
    readonly headers: Record<string, string> = {},
    /** Whether the detail may be shown; client errors only, unless the detail is the service's own words. */
    expose = statusCode < 500,
  ) {
    super(detail);
    this.name = 'HttpError';
    this.expose = expose;
  }

  toBody(requestId?: string): ProblemBody {
    const shown = this.problems.slice(0, MAX_REPORTED_PROBLEMS);
    const hidden = this.problems.length - shown.length;
    return {
      type: 'about:blank',
      title: this.title,
      status: this.statusCode,
      detail: hidden > 0 ? `${this.detail} (${hidden} more problem(s) not listed)` : this.detail,
      ...(shown.length > 0 ? { errors: shown } : {}),
      ...(requestId ? { requestId } : {}),
    };
  }
}

export const badRequest = (detail: string, problems: FieldProblem[] = []) => new HttpError(400, 'Bad Request', detail, problems);

/** RFC 6750: a 401 names the scheme it expects. */
export const unauthorized = () =>
  new HttpError(401, 'Unauthorized', 'The request could not be authenticated.', [], { 'WWW-Authenticate': 'Bearer' });

export const notFound = () => new HttpError(404, 'Not Found', 'No such resource.');

export const methodNotAllowed = (allowed: readonly string[]) =>
  new HttpError(405, 'Method Not Allowed', `Use ${allowed.join(' or ')}.`, [], { Allow: allowed.join(', ') });

export const payloadTooLarge = (limitBytes: number) =>
  new HttpError(413, 'Payload Too Large', `The body is larger than ${limitBytes} bytes.`);

export const unsupportedMediaType = (accepted: string) =>
  new HttpError(415, 'Unsupported Media Type', `Send the body as ${accepted}.`);

export const preconditionFailed = (detail: string) => new HttpError(412, 'Precondition Failed', detail);

export const conflict = (detail: string, problems: FieldProblem[] = []) => new HttpError(409, 'Conflict', detail, problems);

/** A dependency of the service is down: the caller may try again; the detail says no more than that. */
export const serviceUnavailable = () =>
  new HttpError(
    503,
    'Service Unavailable',
    'The service cannot answer just now; try again shortly.',
    [],
    { 'Retry-After': '1' },
    true,
  );

export const internalError = () =>
  new HttpError(500, 'Internal Server Error', 'The service could not answer; the request id identifies the failure in the logs.');
