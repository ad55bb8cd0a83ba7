/**
 * Another Lambda container, for tests that need two: a separate Node process that loads the CDS
 * Hooks handler with the settings of its environment (a state table among them), reads one event
 * as JSON on stdin, and prints the handler's result as JSON on stdout. Logs go to stderr.
 */
import { text } from 'node:stream/consumers';
import { localLambdaContext } from '../../scripts/lambda-functions.js';

const stdoutWrite = process.stdout.write.bind(process.stdout);
process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;

const event: unknown = JSON.parse(await text(process.stdin));
const { handler } = await import('../../functions/handlers/cds-hooks.js');
const result = await (handler as unknown as (event: unknown, context: unknown) => Promise<unknown>)(
  event,
  localLambdaContext('second-container', 'second-container-request'),
);
stdoutWrite(`${JSON.stringify(result)}\n`);
