import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  daysSinceSampleDay,
  isSampleEventFile,
  SAMPLE_DAY,
  SAMPLE_EVENTS_DIR,
  sampleEventFor,
  shiftIsoDate,
  shiftJsonDates,
} from '../../scripts/sample-event-dates.js';
import { eventNames } from '../support/events.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const ANCHOR = new Date(`${SAMPLE_DAY}T00:00:00Z`);
/** The day `days` after SAMPLE_DAY, at `time` (UTC). */
const after = (days: number, time = '12:00:00') => new Date(Date.parse(`${SAMPLE_DAY}T${time}Z`) + days * DAY_MS);
/** The sample event as stored, not moved. */
const rawEvent = (name: string) =>
  JSON.parse(readFileSync(path.join(SAMPLE_EVENTS_DIR, `${name}.json`), 'utf8')) as Record<string, unknown> & { body: string };

describe('daysSinceSampleDay', () => {
  it('counts whole UTC days from the sample day, whatever the time of day', () => {
    expect(daysSinceSampleDay(ANCHOR)).toBe(0);
    expect(daysSinceSampleDay(new Date(`${SAMPLE_DAY}T23:59:59.999Z`))).toBe(0);
    expect(daysSinceSampleDay(after(1, '00:00:00'))).toBe(1);
    expect(daysSinceSampleDay(after(400, '23:00:00'))).toBe(400);
    expect(daysSinceSampleDay(after(-3))).toBe(-3);
    // 2028 is a leap year: 2026-11-29 to 2028-11-29 is 366 + 365 days.
    expect(daysSinceSampleDay(new Date('2028-11-29T08:00:00Z'))).toBe(731);
  });

  it('is the day of every sample draft authored "today", and no sample date is after it', () => {
    const dates = eventNames('cds-hooks.').flatMap((name) => rawEvent(name).body?.match(/\d{4}-\d{2}-\d{2}/g) ?? []);
    expect(dates.length).toBeGreaterThan(0);
    expect(dates.sort().at(-1)).toBe(SAMPLE_DAY);
  });
});

describe('shiftIsoDate', () => {
  it('moves a date across a month end, a year end and 29 February', () => {
    expect(shiftIsoDate('2026-11-29', 2)).toBe('2026-12-01');
    expect(shiftIsoDate('2026-12-31', 1)).toBe('2027-01-01');
    expect(shiftIsoDate('2028-02-28', 1)).toBe('2028-02-29');
    expect(shiftIsoDate('2028-02-29', 1)).toBe('2028-03-01');
    expect(shiftIsoDate('2027-02-28', 1)).toBe('2027-03-01');
    expect(shiftIsoDate('2028-03-01', -1)).toBe('2028-02-29');
    expect(shiftIsoDate('2026-11-24', 400)).toBe('2027-12-29');
    expect(shiftIsoDate('1961-07-02', 400)).toBe('1962-08-06');
    expect(shiftIsoDate('2026-11-29', 0)).toBe('2026-11-29');
  });

  it('keeps the time and offset of a date-time', () => {
    expect(shiftIsoDate('2026-11-28T12:05:31Z', 3)).toBe('2026-12-01T12:05:31Z');
    expect(shiftIsoDate('2026-11-30T23:30:00.250-05:00', 1)).toBe('2026-12-01T23:30:00.250-05:00');
    expect(shiftIsoDate('2028-02-29T00:00:00+14:00', 366)).toBe('2029-03-01T00:00:00+14:00');
  });

  it('leaves every other string as it is', () => {
    for (const value of [
      '403879',
      '3c8e1f2a-5b6d-4e7f-a081-9b2c3d4e5f60',
      'NP_000213.1:p.Asp816Val',
      '2026-11',
      '2026-11-29 at noon',
      'seen on 2026-11-29',
      '2026-02-30',
      '2026-13-01',
      '28/Nov/2026:12:00:00 +0000',
      '',
    ]) {
      expect(shiftIsoDate(value, 400)).toBe(value);
    }
  });
});

describe('shiftJsonDates', () => {
  it('moves date values and nothing else, spacing and keys included', () => {
    const json = '{"2026-11-29": "2026-11-29", "a" :["2026-11-29T10:00:00Z", 20261129, "403879", "x\\"2026-11-29"],"b":null}';

    expect(shiftJsonDates(json, 3)).toBe(
      '{"2026-11-29": "2026-12-02", "a" :["2026-12-02T10:00:00Z", 20261129, "403879", "x\\"2026-11-29"],"b":null}',
    );
  });

  it('leaves text that is not JSON as it is', () => {
    expect(shiftJsonDates('{"date": "2026-11-29"', 3)).toBe('{"date": "2026-11-29"');
  });
});

describe('sampleEventFor', () => {
  it('leaves every sample event byte for byte as it is on the sample day', () => {
    for (const name of eventNames('')) {
      const event = rawEvent(name);
      expect(JSON.stringify(sampleEventFor(event, after(0)))).toBe(JSON.stringify(event));
      expect(sampleEventFor(event, after(0, '23:59:59'))).toBe(event);
    }
  });

  it('moves every date of the body by the days since the sample day, birth dates included, and nothing outside the body', () => {
    const event = rawEvent('cds-hooks.patient-view-on-imatinib');
    const original = JSON.stringify(event);

    const moved = sampleEventFor(event, after(400));

    expect(JSON.stringify(event)).toBe(original);
    expect({ ...moved, body: undefined }).toEqual({ ...event, body: undefined });
    const body = JSON.parse(moved.body);
    expect(body.prefetch.patient.birthDate).toBe('1962-08-06');
    expect(body.prefetch.labs.entry[0].resource.effectiveDateTime).toBe('2027-12-29');
    expect(body.prefetch.medications.entry[0].resource.authoredOn).toBe('2026-12-25');
    expect(body.prefetch.medications.entry[0].resource.medicationCodeableConcept.coding[0].code).toBe('403879');
    expect(body.hookInstance).toBe('3c8e1f2a-5b6d-4e7f-a081-9b2c3d4e5f60');
    expect(moved.body.replace(/\d{4}-\d{2}-\d{2}/g, 'D')).toBe(event.body.replace(/\d{4}-\d{2}-\d{2}/g, 'D'));
  });

  it('keeps the time and offset of a date-time in the body', () => {
    const moved = sampleEventFor(rawEvent('cds-hooks.feedback'), after(34));

    expect(JSON.parse(moved.body).feedback[0].outcomeTimestamp).toBe('2027-01-01T12:05:31Z');
  });

  it('leaves bodies without dates, a body that is not JSON and a base64 body as they are', () => {
    for (const name of ['evaluate.kit-d816v-positive', 'evaluate.invalid-not-json', 'cds-hooks.discovery']) {
      const event = rawEvent(name);
      expect(sampleEventFor(event, after(400))).toBe(event);
    }
    const base64 = { body: Buffer.from('{"date": "2026-11-29"}').toString('base64'), isBase64Encoded: true };
    expect(sampleEventFor(base64, after(400))).toBe(base64);
    const encodedDate = { body: '"2026-11-29"', isBase64Encoded: true };
    expect(sampleEventFor(encodedDate, after(400))).toBe(encodedDate);
  });
});

describe('isSampleEventFile', () => {
  it('is true of the files in events/ only', () => {
    expect(isSampleEventFile('events/cds-hooks.patient-view-on-imatinib.json')).toBe(
      path.resolve('events') === SAMPLE_EVENTS_DIR,
    );
    expect(isSampleEventFile(path.join(SAMPLE_EVENTS_DIR, 'cds-hooks.feedback.json'))).toBe(true);
    expect(isSampleEventFile('/tmp/cds-hooks.feedback.json')).toBe(false);
    expect(isSampleEventFile(path.join(SAMPLE_EVENTS_DIR, 'more', 'x.json'))).toBe(false);
  });
});
