import path from 'node:path';

/**
 * The sample events in events/ carry fixed dates, written for one day: results a few days old,
 * an imatinib order of a year ago, drafts authored that day. The service counts ages from the day
 * of the call (results count for 30 days, the treatment course uses 90-day windows), so loaders of
 * the samples (tests, `npm run invoke`, the bench) move every date in an event's body by the days
 * since that day, and each sample answers on any day as it did on the day it was written for.
 */

/** The directory of the sample events. */
export const SAMPLE_EVENTS_DIR = path.resolve(import.meta.dirname, '../events');

/**
 * The day the sample events are written for (UTC): the latest "today" among them, the day the
 * drafts of order-select-bare-draft and order-sign-sandbox-pill-count are authored on and 5 days
 * after patient-view's latest results.
 */
export const SAMPLE_DAY = '2026-11-29';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A FHIR date (YYYY-MM-DD) or dateTime/instant, the whole of a string: date, then any time and offset. */
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?$/;

/** A JSON string token, and the colon after it when it is an object key. */
const JSON_STRING = /"(?:[^"\\]|\\.)*"(\s*:)?/g;

/** Whole days from SAMPLE_DAY to the UTC day of `today` (negative before it). */
export function daysSinceSampleDay(today: Date): number {
  const day = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  return Math.round((day - Date.parse(`${SAMPLE_DAY}T00:00:00Z`)) / DAY_MS);
}

/**
 * `value` with its date moved by `days` if it is an ISO date or date-time (the time and offset of a
 * date-time stay as they are); any other string, or a day that does not exist, is returned as is.
 */
export function shiftIsoDate(value: string, days: number): string {
  const match = ISO_DATE.exec(value);
  if (!match || days === 0) return value;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return value;
  date.setUTCDate(date.getUTCDate() + days);
  const shifted = [String(date.getUTCFullYear()).padStart(4, '0'), pad2(date.getUTCMonth() + 1), pad2(date.getUTCDate())];
  return `${shifted.join('-')}${match[4] ?? ''}`;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/**
 * The JSON text `json` with every string value that is an ISO date or date-time moved by `days`,
 * byte for byte the same otherwise (keys, spacing, every other value). Text that is not JSON is
 * returned as is.
 */
export function shiftJsonDates(json: string, days: number): string {
  if (days === 0) return json;
  try {
    JSON.parse(json);
  } catch {
    return json;
  }
  return json.replace(JSON_STRING, (token: string, key: string | undefined) =>
    key !== undefined ? token : `"${shiftIsoDate(token.slice(1, -1), days)}"`,
  );
}

/**
 * A sample event as if written for `today`: every date in its JSON body moved by the days from
 * SAMPLE_DAY to `today`, so each result, order and birth date keeps its age relative to the call.
 * Nothing outside the body changes; a base64 or non-JSON body stays as it is. Returns a new event
 * when anything moved, else `event` itself.
 */
export function sampleEventFor<T extends { body?: unknown; isBase64Encoded?: unknown }>(event: T, today: Date): T {
  if (typeof event.body !== 'string' || event.isBase64Encoded === true) return event;
  const body = shiftJsonDates(event.body, daysSinceSampleDay(today));
  return body === event.body ? event : { ...event, body };
}

/** Is `file` one of the sample events (a file in events/)? */
export function isSampleEventFile(file: string): boolean {
  return path.dirname(path.resolve(file)) === SAMPLE_EVENTS_DIR;
}
