import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Card } from '../../functions/adapters/cds-hooks/cards.js';
import type { HttpEvent, HttpResult } from '../../functions/adapters/http/http-event.js';
import { SAMPLE_DAY, SAMPLE_EVENTS_DIR, shiftJsonDates } from '../../scripts/sample-event-dates.js';
import { CDS_BASE_URL, signedCdsHandler, type SignedCdsHandler } from '../support/cds-handler.js';
import { bodyOf, eventNames, lambdaContext, loadEvent } from '../support/events.js';

/**
 * The sample events answer on any day as on the day they were written for: loadEvent moves the
 * dates of their bodies to the day of the call (scripts/sample-event-dates.ts). The clock (Date
 * alone) is set to that day and to 400 days later; it is faked before the handler and the stand-in
 * EHR are made, so the JWT verifier and the EHR that signs read the same clock.
 */

const DAY_MS = 24 * 60 * 60 * 1000;
const LATER_DAYS = 400;
const SAMPLE_NOON = Date.parse(`${SAMPLE_DAY}T12:00:00Z`);
const LATER = SAMPLE_NOON + LATER_DAYS * DAY_MS;

type SampleEvent = HttpEvent & { headers: Record<string, string>; rawPath: string; body?: string };

let cds: SignedCdsHandler;

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(SAMPLE_NOON);
  cds = await signedCdsHandler();
});

afterAll(async () => {
  await cds.close();
  vi.useRealTimers();
});

/** The answer to `event` at `time`, signed then by the stand-in EHR if it asks to be. */
async function answerAt(time: number, event: () => SampleEvent): Promise<HttpResult> {
  vi.setSystemTime(time);
  const call = event();
  if (call.headers.authorization === 'Bearer {{local-ehr-jwt}}') {
    call.headers.authorization = `Bearer ${await cds.jwks.signToken({ aud: `${CDS_BASE_URL}${call.rawPath}` })}`;
  }
  return cds.invoke(call, lambdaContext());
}

const ruleIdsOf = (result: HttpResult) =>
  bodyOf<{ cards: Card[] }>(result).cards.map((c) => c.source.topic?.code ?? 'missing-facts');

describe('the sample events, on any day', () => {
  it.each(eventNames('cds-hooks.'))(
    'answers %s 400 days on as on its day, the dates in the answer moved with it',
    async (name) => {
      const onItsDay = await answerAt(SAMPLE_NOON, () => loadEvent<SampleEvent>(name));
      const later = await answerAt(LATER, () => loadEvent<SampleEvent>(name));

      expect(later.statusCode).toBe(onItsDay.statusCode);
      expect(later.body).toBe(shiftJsonDates(onItsDay.body, LATER_DAYS));
    },
  );

  it('still gives the patient-view sample its neutropenia hold and response cards 400 days on, which its fixed dates would lose', async () => {
    const name = 'cds-hooks.patient-view-on-imatinib';
    const asStored = () => JSON.parse(readFileSync(path.join(SAMPLE_EVENTS_DIR, `${name}.json`), 'utf8')) as SampleEvent;
    const expected = ['neutropenia-thrombocytopenia-hold', 'response-tryptase', 'response-n-methylhistamine'];

    const onItsDay = ruleIdsOf(await answerAt(SAMPLE_NOON, asStored));
    const later = ruleIdsOf(await answerAt(LATER, () => loadEvent<SampleEvent>(name)));
    const laterAsStored = ruleIdsOf(await answerAt(LATER, asStored));

    expect(onItsDay).toEqual(expect.arrayContaining(expected));
    expect(later).toEqual(onItsDay);
    expect(laterAsStored).not.toContain('neutropenia-thrombocytopenia-hold');
    expect(laterAsStored).not.toContain('response-tryptase');
  });
});
