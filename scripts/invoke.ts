/**
 * `npm run invoke -- <event.json>`: runs the Lambda handler that the event's method and path map
 * to, in this process, and prints exactly the Lambda result ({statusCode, headers, body}) as JSON
 * on stdout. Everything else, logs included, goes to stderr. Exits 0 whenever a result was
 * produced, whatever its status code; 2 when the event cannot be read. The dates in the body of a
 * sample event (a file in events/) are moved to today first (sample-event-dates.ts).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Context } from 'aws-lambda';
import { functionFor, localLambdaContext, type HttpEventLike } from './lambda-functions.js';
import { localEhr } from './local-ehr.js';
import { daysSinceSampleDay, isSampleEventFile, SAMPLE_DAY, sampleEventFor } from './sample-event-dates.js';

const stdoutWrite = process.stdout.write.bind(process.stdout);
// Logs and any stray output go to stderr, so stdout carries the result alone.
process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;

function fail(message: string): never {
  process.stderr.write(`invoke: ${message}\n`);
  process.exit(2);
}

const file = process.argv[2];
if (!file) fail('usage: npm run invoke -- <event.json>');

let event: HttpEventLike;
try {
  event = JSON.parse(readFileSync(file, 'utf8')) as HttpEventLike;
} catch (error) {
  fail(`cannot read ${file} as JSON (${(error as Error).name})`);
}

// A sample event answers as on the day it was written for: the dates of its body move to today.
const today = new Date();
const days = daysSinceSampleDay(today);
if (isSampleEventFile(file) && days !== 0) {
  event = sampleEventFor(event as HttpEventLike & { body?: unknown }, today);
  process.stderr.write(`invoke: the dates in ${file}'s body moved by ${days} days, from ${SAMPLE_DAY} to today\n`);
}

const target = functionFor(event);
if (!target) fail(`no function serves ${file}'s method and path`);

const requestId = event.requestContext?.requestId ?? randomUUID();
const context = localLambdaContext(`imatinib-sm-cds-local-${target.name}`, requestId);

if (target.name === 'cdsHooks') {
  // A stand-in EHR signs the sample events; verification stays on (scripts/local-ehr.ts).
  const host = (event as { headers?: Record<string, string> }).headers?.host ?? 'localhost';
  await (await localEhr(`https://${host}`)).sign(event as Parameters<Awaited<ReturnType<typeof localEhr>>['sign']>[0]);
}
const { handler } = await target.load();
const result = await (handler as (event: unknown, context: Context) => Promise<unknown>)(event, context);
stdoutWrite(`${JSON.stringify(result)}\n`);
