import type { Medication, MedicationRequest } from 'fhir/r4';
import { MEDICATION_STATUS } from './codes.js';
import { isImatinibUse, type MedicationUse } from './medications.js';
import { timeOf } from './resources.js';

/**
 * The imatinib course from the whole history (facts.md, From FHIR v3; knowledge-base spec v3,
 * starting, restarting, continuing): every imatinib request and statement of any status, the
 * current course followed back through `priorPrescription`, where it started, whether the record
 * settles that start, and whether imatinib was taken before it (`medications.imatinibBefore`).
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** When a use of imatinib began, as FHIR gives it: a request's authoredOn, a statement's effective start. */
function startOf(use: MedicationUse): string | undefined {
  if (use.resourceType === 'MedicationRequest') return use.authoredOn;
  return use.effectivePeriod?.start ?? use.effectiveDateTime;
}

/** When a use ended, where the record says it: a statement's effective period end (a request gives none). */
const endOf = (use: MedicationUse) => (use.resourceType === 'MedicationStatement' ? timeOf(use.effectivePeriod?.end) : undefined);

/**
 * The start of the current course (`at`), and until when a result still counts as taken before it
 * (`baselineThrough`): the end of that day when the start is a date alone, since a sample drawn on
 * the day therapy began is its baseline, and the start itself when it has a time.
 */
export interface CourseStart {
  at: number;
  baselineThrough: number;
}

export interface ImatinibCourse {
  /** The start of the current continuous course, when one is on record. */
  start?: CourseStart;
  /**
   * Whether the record settles that start: false when the `priorPrescription` chain leads to an
   * order not read, when the history was cut, or when an earlier use of unknown end may have run
   * into the course (the course may then be longer, and results before the start on treatment).
   */
  settled: boolean;
  /** A baseline must be after this time: the end of the latest earlier course. */
  baselineAfter?: number;
  /** Imatinib taken in a course other than the current one: true, false (the history was read whole), or unknown. */
  imatinibBefore?: boolean;
}

export interface ImatinibHistoryInputs {
  /** Every imatinib-or-not request and statement the record gave (active lists and histories), de-duplicated here. */
  uses: readonly MedicationUse[];
  medications: readonly Medication[];
  /** Whether every list of uses was read whole (no unreadable entry, no page left unread). */
  complete: boolean;
  /** The order checked: a draft (order hooks) or the active order (patient-view). */
  order: MedicationRequest;
}

const key = (use: MedicationUse) => (use.id === undefined ? undefined : `${use.resourceType}/${use.id}`);

/** The id a `priorPrescription` reference names (relative, or the end of an absolute URL). */
function priorId(request: MedicationRequest): string | undefined {
  const match = /(?:^|\/)MedicationRequest\/([A-Za-z0-9.-]{1,64})(?:\/_history\/[^/]*)?$/.exec(
    request.priorPrescription?.reference ?? '',
  );
  return match ? `MedicationRequest/${match[1]}` : undefined;
}

function courseStartOf(uses: readonly MedicationUse[]): CourseStart | undefined {
  return uses
    .flatMap((use) => {
      const value = startOf(use);
      const at = timeOf(value);
      return at === undefined ? [] : [{ at, baselineThrough: /^\d{4}-\d{2}-\d{2}$/.test(value!) ? at + DAY_MS - 1 : at }];
    })
    .sort((a, b) => a.at - b.at)[0];
}

/**
 * The current course: the uses taken now (the order itself when it is active, never a draft), and
 * every order they, or a draft, renew through `priorPrescription`. Every other imatinib use taken
 * at some time (held, completed, stopped) is an earlier course.
 */
export function imatinibCourse({ uses, medications, complete, order }: ImatinibHistoryInputs): ImatinibCourse {
  const distinct = new Map<string | MedicationUse, MedicationUse>();
  for (const use of uses) distinct.set(key(use) ?? use, use);
  const imatinib = [...distinct.values()].filter(
    (use) => use !== order && (order.id === undefined || key(use) !== key(order)) && isImatinibUse(use, medications),
  );
  const byKey = new Map(imatinib.flatMap((use) => (key(use) ? [[key(use)!, use] as const] : [])));
  const takenAtSomeTime = (use: MedicationUse) => MEDICATION_STATUS.takenAtSomeTime.includes(use.status ?? '');

  const course = new Set<MedicationUse>(imatinib.filter((use) => MEDICATION_STATUS.takenNow.includes(use.status ?? '')));
  if (order.status === 'active') course.add(order);
  let chainCut = false;
  const follow: MedicationUse[] = [...course, order];
  for (let use = follow.pop(); use !== undefined; use = follow.pop()) {
    if (use.resourceType !== 'MedicationRequest' || use.priorPrescription === undefined) continue;
    const prior = byKey.get(priorId(use) ?? '');
    if (prior === undefined) chainCut = true;
    else if (!course.has(prior)) {
      if (takenAtSomeTime(prior)) course.add(prior);
      follow.push(prior);
    }
  }

  const earlier = imatinib.filter((use) => !course.has(use) && takenAtSomeTime(use));
  const start = courseStartOf([...course]);
  const imatinibBefore = earlier.length > 0 ? true : complete && !chainCut ? false : undefined;
  if (start === undefined) return { settled: false, ...(imatinibBefore !== undefined ? { imatinibBefore } : {}) };

  // Earlier uses that began before the course: each must be known to have ended before it.
  const before = earlier.filter((use) => (timeOf(startOf(use)) ?? -Infinity) <= start.at);
  const ends = before.map(endOf);
  const endsKnown = ends.every((end): end is number => end !== undefined && end < start.at);
  const undated = earlier.some((use) => timeOf(startOf(use)) === undefined);
  const settled = complete && !chainCut && endsKnown && !undated;
  const baselineAfter = endsKnown && ends.length > 0 ? Math.max(...ends) : undefined;
  return {
    start,
    settled,
    ...(baselineAfter !== undefined ? { baselineAfter } : {}),
    ...(imatinibBefore !== undefined ? { imatinibBefore } : {}),
  };
}

/** The imatinib uses that continue now: active requests and statements, the order checked aside. */
export function continuingImatinib(
  uses: readonly MedicationUse[],
  medications: readonly Medication[],
  order?: MedicationRequest,
) {
  return uses.filter(
    (use) =>
      use !== order &&
      (order?.id === undefined || use.id !== order.id) &&
      MEDICATION_STATUS.takenNow.includes(use.status ?? '') &&
      isImatinibUse(use, medications),
  );
}
