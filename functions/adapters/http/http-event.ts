import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, APIGatewayProxyResult } from 'aws-lambda';

/** API Gateway HTTP API (payload 2.0) or REST API (1.0) event; both are accepted. */
export type HttpEvent = APIGatewayProxyEventV2 | APIGatewayProxyEvent;

/** An event whose JSON body has been parsed by the jsonBody middleware. */
export type JsonEvent = HttpEvent & { jsonBody?: unknown };

/** What every handler returns; the same shape for both payload versions. */
export type HttpResult = APIGatewayProxyResult & { headers: Record<string, string> };

function isV2(event: HttpEvent): event is APIGatewayProxyEventV2 {
  return (event as APIGatewayProxyEventV2).version === '2.0';
}

export function methodOf(event: HttpEvent): string {
  return (isV2(event) ? event.requestContext?.http?.method : event.httpMethod)?.toUpperCase() ?? '';
}

export function pathOf(event: HttpEvent): string {
  return (isV2(event) ? event.rawPath : event.path) ?? '';
}

/** Header lookup by lower-case name (the header normalizer lower-cases them first). */
export function headerOf(event: HttpEvent, name: string): string | undefined {
  return event.headers?.[name] ?? undefined;
}

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return { statusCode, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) };
}
