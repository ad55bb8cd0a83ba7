import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { PatientFacts } from '../../functions/core/types.js';

/** An API Gateway event as stored in events/ (payload 2.0, or the REST API's 1.0). */
export type SampleEvent = { body?: string; headers?: Record<string, string> } & Record<string, unknown>;

export interface Sample {
  /** File name in events/. */
  name: string;
  event: SampleEvent;
  /** The event's JSON body. */
  facts: PatientFacts;
}

/**
 * The fact mix of the bench: the valid sample events of the evaluate function in `<root>/events`,
 * that is all but the invalid bodies and the wrong method, in file-name order.
 */
export function loadSamples(root: string): Sample[] {
  const dir = path.join(root, 'events');
  return readdirSync(dir)
    .filter((file) => /^evaluate\..+\.json$/.test(file) && !/\.(invalid-|wrong-method)/.test(file))
    .sort()
    .map((file) => {
      const event = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as SampleEvent;
      return { name: file, event, facts: JSON.parse(event.body ?? '') as PatientFacts };
    });
}
