import type { Context } from 'aws-lambda';

/** A Lambda handler as middy exports it: called with the event and the context. */
export type LambdaHandler = (event: never, context: Context) => Promise<unknown>;

/** The HTTP shape of an event, enough to route it (API Gateway payload 2.0 or 1.0). */
export interface HttpEventLike {
  version?: string;
  rawPath?: string;
  path?: string;
  httpMethod?: string;
  requestContext?: { requestId?: string; http?: { method?: string } };
}

export interface LambdaFunction {
  /** Function name in serverless.yml. */
  name: string;
  /** Handler module in functions/handlers/ and bundle in dist/lambda/ (`<file>.cjs`). */
  file: string;
  /** Does this function serve the method and path? Mirrors serverless.yml's httpApi events. */
  serves(method: string, path: string): boolean;
  load(): Promise<{ handler: LambdaHandler }>;
}

/** Every HTTP function of serverless.yml; a test checks this table against the packaged template. */
export const lambdaFunctions: readonly LambdaFunction[] = [
  {
    name: 'evaluate',
    file: 'evaluate',
    serves: (_method, path) => path === '/evaluate',
    load: () => import('../functions/handlers/evaluate.js'),
  },
  {
    name: 'cdsHooks',
    file: 'cds-hooks',
    serves: (_method, path) => path === '/cds-services' || path.startsWith('/cds-services/'),
    load: () => import('../functions/handlers/cds-hooks.js'),
  },
];

export function functionFor(event: HttpEventLike): LambdaFunction | undefined {
  const method = (event.requestContext?.http?.method ?? event.httpMethod ?? '').toUpperCase();
  const path = event.rawPath ?? event.path ?? '';
  return lambdaFunctions.find((fn) => fn.serves(method, path));
}

/** A Lambda context for running a handler outside Lambda (invoke, bench, tests). */
export function localLambdaContext(functionName: string, awsRequestId: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
