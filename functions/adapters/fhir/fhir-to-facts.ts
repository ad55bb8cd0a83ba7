import type { Condition, Medication, MedicationRequest, MedicationStatement, Observation, Patient } from 'fhir/r4';
import type { PatientFacts } from '../../core/index.js';
import {
  CONDITION_ACTIVE,
  CONDITION_NOT_USED,
  EXTENSION,
  ICD10CM_SUBTYPE,
  LAB,
  NUMERIC_LAB_FACTS,
  PREGNANCY_ANSWERS,
  PREGNANCY_CONDITION,
  SYSTEM,
} from './codes.js';
import { settledValue } from './comparators.js';
import { continuingImatinib, imatinibCourse } from './imatinib-history.js';
import { lookup } from './lookup.js';
import { medicationLists } from './medication-names.js';
import { dailyDoseMg, drugOf, isImatinibUse, isPrednisoneDrug, type MedicationUse } from './medications.js';
import {
  aboveRange,
  belowRange,
  currentResult,
  indexObservations,
  interpretationOf,
  readingIn,
  timesUpperLimit,
  type ObservationIndex,
} from './observations.js';
import { codesOf, codings, hasCode, lookupCode } from './resources.js';
import { treatmentCourseOf } from './treatment-course.js';
import { molecularFacts } from './variants.js';

/**
 * FHIR R4 -> PatientFacts (facts.md, "From FHIR" v2 and v3). Pure: no I/O. What cannot be read with
 * certainty (an unknown unit, an old result, a timing it cannot count, a list it could not read
 * whole) is left out, so the core reports it missing instead of deciding on a guess.
 * docs/cds-hooks.md lists every code read here, with its source, and what stays unknown.
 *
 * The record is read once per call (readRecord); each imatinib order then adds only what is its
 * own (factsForOrder): a call with 100 draft orders maps the record once.
 */

/**
 * A list of resources as read: `unreadable` counts those whose elements did not have FHIR's types;
 * `complete` is false when paging stopped before the end of the search (absent: read whole).
 */
export interface ReadList<T> {
  resources: T[];
  unreadable: number;
  complete?: boolean;
}

/** What the mapping reads; `undefined` means "not read", an empty list "read, none found". */
export interface FhirRecordInputs {
  patient?: Patient;
  observations?: Observation[];
  /** The oldest endpoint result read, when the history search was cut by the paging bound. */
  historyCutAt?: number;
  /** False when the variant search was cut by the paging bound. */
  variantsComplete?: boolean;
  conditions?: ReadList<Condition>;
  /** The patient's active medication requests and statements (medications taken now). */
  medicationRequests?: ReadList<MedicationRequest>;
  medicationStatements?: ReadList<MedicationStatement>;
  /** Requests and statements of any status (the imatinib history). */
  requestHistory?: ReadList<MedicationRequest>;
  statementHistory?: ReadList<MedicationStatement>;
  /** Medications that requests and statements may name by reference (from the request's or the prefetch's Bundles). */
  medications?: Medication[];
  /** The day of the call, for ages, the currency of results and the months on imatinib. */
  now: Date;
}

/** What one call's facts are built from: an imatinib order, and the other drafts of the same request. */
export interface FhirInputs extends FhirRecordInputs {
  /** The imatinib order being checked: a draft (order hooks) or the active order (patient-view). */
  order: MedicationRequest;
  /** The other draft orders of the same request (a prednisone order counts as co-therapy). */
  otherDraftOrders: MedicationRequest[];
}

// ---------------------------------------------------------------------------------------- patient

function ageInYears(birthDate: string | undefined, now: Date): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate ?? '');
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  let age = now.getUTCFullYear() - year;
  if (now.getUTCMonth() + 1 < month || (now.getUTCMonth() + 1 === month && now.getUTCDate() < day)) age--;
  return age >= 0 && age <= 130 ? age : undefined;
}

type Sex = NonNullable<NonNullable<PatientFacts['patient']>['sex']>;

const GENDER: Readonly<Record<string, Sex>> = { female: 'female', male: 'male', other: 'other', unknown: 'unknown' };
const SEX_FOR_CLINICAL_USE: Readonly<Record<string, Sex>> = {
  'female-typical': 'female',
  'male-typical': 'male',
  specified: 'other',
  unknown: 'unknown',
};
const BIRTH_SEX: Readonly<Record<string, Sex>> = { F: 'female', M: 'male', UNK: 'unknown' };

/**
 * Sex for clinical use (knowledge-base spec, Clarifications): the sex-parameter-for-clinical-use
 * extension, else US Core birth sex, else Patient.gender.
 */
function sexOf(patient: Patient | undefined): Sex | undefined {
  const extensions = patient?.extension ?? [];
  const forClinicalUse = extensions
    .find((e) => e.url === EXTENSION.sexParameterForClinicalUse)
    ?.extension?.find((e) => e.url === 'value')?.valueCodeableConcept;
  const clinical = codings(forClinicalUse)
    .map((c) => lookup(SEX_FOR_CLINICAL_USE, c.code))
    .find((s) => s !== undefined);
  if (clinical) return clinical;
  const birth = lookup(BIRTH_SEX, extensions.find((e) => e.url === EXTENSION.usCoreBirthSex)?.valueCode);
  return birth ?? lookup(GENDER, patient?.gender);
}

/** The conditions in use: clinically active (or recurring, relapsed), neither refuted nor entered in error. */
const conditionsInUse = (conditions: readonly Condition[]) =>
  conditions.filter(
    (c) =>
      codesOf(c.clinicalStatus, SYSTEM.conditionClinical).some((code) => CONDITION_ACTIVE.includes(code)) &&
      !codesOf(c.verificationStatus, SYSTEM.conditionVerification).some((code) => CONDITION_NOT_USED.includes(code)),
  );

/**
 * Pregnancy (facts.md v3): a pregnancy on the problem list, or the current status answer (LOINC or
 * SNOMED CT), says pregnant; only a current "not pregnant" answer with no pregnancy recorded says
 * not pregnant. A recorded pregnancy is never hidden by a contradicting answer.
 */
function pregnant(status: Observation | undefined, conditions: readonly Condition[]): boolean | undefined {
  if (conditions.some((c) => hasCode(c.code, PREGNANCY_CONDITION.system, [PREGNANCY_CONDITION.code]))) return true;
  const answers = PREGNANCY_ANSWERS.filter((a) => hasCode(status?.valueCodeableConcept, a.system, [a.code]));
  if (answers.some((a) => a.pregnant)) return true;
  return answers.length > 0 ? false : undefined;
}

// ---------------------------------------------------------------------------------------- labs, cardiac

/** The numeric facts of NUMERIC_LAB_FACTS, each from the current result of its first group that gives one. */
function numericLabFacts(index: ObservationIndex, now: Date): Record<string, number | undefined> {
  const facts: Record<string, number | undefined> = {};
  for (const { fact, groups, read } of NUMERIC_LAB_FACTS) {
    for (const group of groups) {
      const result = currentResult(index, group, now);
      const reading =
        read === 'timesUpperLimit'
          ? timesUpperLimit(result)
          : group.unit
            ? readingIn(result?.valueQuantity, group.unit)
            : undefined;
      const value = settledValue(reading, fact);
      if (value !== undefined) {
        facts[fact] = value;
        break;
      }
    }
  }
  return facts;
}

/**
 * The echocardiogram from the current study's interpretation, and the current LV ejection fraction:
 * either one abnormal (a fraction below its range) makes it abnormal. Only the study can say normal:
 * a normal ejection fraction does not rule out the cardiac involvement the screen looks for, so it
 * never hides the screen.
 */
function echocardiogram(index: ObservationIndex, now: Date): 'normal' | 'abnormal' | undefined {
  const study = currentResult(index, LAB.echocardiogram, now);
  const fraction = currentResult(index, LAB.lvEjectionFraction, now);
  const said = study && interpretationOf(study);
  const studyAbnormal = said === undefined ? undefined : said !== 'normal';
  if (studyAbnormal === true || (fraction && belowRange(fraction) === true)) return 'abnormal';
  return studyAbnormal === false ? 'normal' : undefined;
}

function troponin(index: ObservationIndex, now: Date): 'normal' | 'elevated' | undefined {
  const result = currentResult(index, LAB.troponin, now);
  const above = result && aboveRange(result);
  return above === undefined ? undefined : above ? 'elevated' : 'normal';
}

// ---------------------------------------------------------------------------------------- diagnosis

function smSubtype(conditions: ReadList<Condition> | undefined): 'ASM' | 'MCL' | undefined {
  if (conditions === undefined) return undefined;
  const subtypes = new Set(conditionsInUse(conditions.resources).map((c) => lookupCode(c.code, SYSTEM.icd10cm, ICD10CM_SUBTYPE)));
  subtypes.delete(undefined);
  // Two different subtypes on record is a contradiction for a clinician to resolve, not for us to pick;
  // a list cut by paging may hold another.
  return subtypes.size === 1 && conditions.complete !== false ? [...subtypes][0] : undefined;
}

// ---------------------------------------------------------------------------------------- the record, once

/** Sets `value` at a dotted fact path (`labs.neutrophilsPerMicroliter`) of `facts`, creating its section. */
function setFact(facts: Record<string, Record<string, unknown>>, path: string, value: unknown): void {
  if (value === undefined) return;
  const [section, field] = path.split('.') as [string, string];
  (facts[section] ??= {})[field] = value;
}

/** The record read once for a call: the facts every order shares, and what each order's own facts need. */
export interface FhirRecord {
  inputs: FhirRecordInputs;
  /** The facts common to every order of the call. */
  shared: PatientFacts;
  /** Every request and statement of the record (active lists and histories). */
  uses: MedicationUse[];
  /** Whether every medication list was read whole. */
  usesComplete: boolean;
  index: ObservationIndex;
}

const isWhole = (list: ReadList<unknown> | undefined) => list !== undefined && list.unreadable === 0 && list.complete !== false;

/** Reads the record once: everything that does not depend on the order checked. */
export function readRecord(inputs: FhirRecordInputs, otherDrafts: readonly MedicationRequest[] = []): FhirRecord {
  const { now } = inputs;
  const index = indexObservations(inputs.observations ?? []);
  const conditions = conditionsInUse(inputs.conditions?.resources ?? []);
  const medications = inputs.medications ?? [];
  const facts: Record<string, Record<string, unknown>> = {};
  setFact(facts, 'patient.ageYears', ageInYears(inputs.patient?.birthDate, now));
  setFact(facts, 'patient.sex', sexOf(inputs.patient));
  setFact(facts, 'patient.pregnant', pregnant(currentResult(index, LAB.pregnancyStatus, now), conditions));
  for (const [fact, value] of Object.entries(numericLabFacts(index, now))) setFact(facts, fact, value);
  setFact(facts, 'diagnosis.smSubtype', smSubtype(inputs.conditions));
  for (const [field, value] of Object.entries(molecularFacts(index, inputs.variantsComplete !== false))) {
    setFact(facts, `molecular.${field}`, value);
  }
  setFact(facts, 'cardiac.echocardiogram', echocardiogram(index, now));
  setFact(facts, 'cardiac.troponin', troponin(index, now));
  const activeLists = [inputs.medicationRequests, inputs.medicationStatements].map((list) =>
    list ? { uses: list.resources, unreadable: list.unreadable, complete: list.complete } : { uses: [], unreadable: 1 },
  );
  const drafted = otherDrafts.filter((draft) => !isImatinibUse(draft, medications));
  const { active, unidentified } = medicationLists(activeLists, medications, drafted);
  setFact(facts, 'medications.active', active);
  setFact(facts, 'medications.unidentified', unidentified);
  const lists = [inputs.medicationRequests, inputs.medicationStatements, inputs.requestHistory, inputs.statementHistory];
  return {
    inputs,
    shared: facts as PatientFacts,
    uses: lists.flatMap((list): MedicationUse[] => list?.resources ?? []),
    usesComplete: lists.every(isWhole),
    index,
  };
}

// ---------------------------------------------------------------------------------------- each order

const ORDER_STATUS: Readonly<Record<string, 'proposed' | 'active'>> = { draft: 'proposed', active: 'active' };

/**
 * Whether the order starts therapy (facts.md v2, `order.startsTherapy`): false when the patient
 * already takes imatinib (another active order or statement, the order itself active, or a draft
 * renewing an earlier prescription); true when the medication lists of what is taken now were read
 * whole and hold no imatinib; unknown otherwise.
 */
function startsTherapy(record: FhirRecord, order: MedicationRequest, continuing: readonly unknown[]): boolean | undefined {
  if (order.status === 'active' || order.priorPrescription !== undefined || continuing.length > 0) return false;
  const lists = [record.inputs.medicationRequests, record.inputs.medicationStatements];
  return lists.every(isWhole) ? true : undefined;
}

/** The facts of one imatinib order: the record's shared facts, the order's own, its course. */
export function factsForOrder(
  record: FhirRecord,
  order: MedicationRequest,
  otherDraftOrders: readonly MedicationRequest[],
): PatientFacts {
  const { inputs } = record;
  const medications = inputs.medications ?? [];
  const activeUses = [...(inputs.medicationRequests?.resources ?? []), ...(inputs.medicationStatements?.resources ?? [])];
  const continuing = continuingImatinib(activeUses, medications, order);
  const course = imatinibCourse({ uses: record.uses, medications, complete: record.usesComplete, order });
  const dose = dailyDoseMg(order, medications);
  const status = lookup(ORDER_STATUS, order.status);
  const starts = startsTherapy(record, order, continuing);
  const facts: PatientFacts = structuredClone(record.shared);
  facts.order = {
    drug: 'imatinib',
    ...(dose !== undefined ? { dailyDoseMg: dose } : {}),
    ...(status ? { status } : {}),
    ...(starts !== undefined ? { startsTherapy: starts } : {}),
    // A prednisone draft order alongside says yes; its absence is not a "no" (it may be planned elsewhere).
    ...(otherDraftOrders.some((o) => isPrednisoneDrug(drugOf(o, medications))) ? { prednisoneCoTherapy: true } : {}),
  };
  if (course.imatinibBefore !== undefined) facts.medications = { ...facts.medications, imatinibBefore: course.imatinibBefore };
  const treatmentCourse = treatmentCourseOf({ index: record.index, historyCutAt: inputs.historyCutAt }, course, inputs.now);
  if (treatmentCourse !== undefined) facts.treatmentCourse = treatmentCourse;
  return facts;
}

/** Is this request or statement for imatinib (by its own concept or the Medication it references)? */
export const isImatinib = isImatinibUse;

/** Builds the PatientFacts for one imatinib order (readRecord, then factsForOrder). */
export function factsFromFhir(inputs: FhirInputs): PatientFacts {
  return factsForOrder(readRecord(inputs, inputs.otherDraftOrders), inputs.order, inputs.otherDraftOrders);
}
