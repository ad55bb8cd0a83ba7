import type { Condition, Medication, MedicationRequest, MedicationStatement, Observation, Patient } from 'fhir/r4';
import type { PatientFacts } from '../../core/index.js';
import { EXTENSION, ICD10CM_SUBTYPE, LAB, LOINC_ANSWER, SYSTEM } from './codes.js';
import { lookup } from './lookup.js';
import {
  activeMedicationNames,
  continuingImatinib,
  courseStart,
  dailyDoseMg,
  drugOf,
  isImatinibDrug,
  isPrednisoneDrug,
} from './medications.js';
import { aboveRange, belowRange, currentResult, interpretationOf, inUnits, timesUpperLimit } from './observations.js';
import { codings, hasCode } from './resources.js';
import { treatmentCourseOf } from './treatment-course.js';
import { molecularFacts } from './variants.js';

/**
 * FHIR R4 -> PatientFacts (facts.md, "From FHIR"). Pure: no I/O. What cannot be read with certainty
 * (an unknown unit, an old result, a timing it cannot count, a list it could not read whole) is
 * left out, so the core reports it missing instead of deciding on a guess. docs/cds-hooks.md lists
 * every code read here, with its source, and what stays unknown.
 */

/** A list of resources as read: `unreadable` counts those whose elements did not have FHIR's types. */
export interface ReadList<T> {
  resources: T[];
  unreadable: number;
}

/** What the mapping reads; `undefined` means "not provided", an empty list "provided, none found". */
export interface FhirInputs {
  patient?: Patient;
  observations?: Observation[];
  conditions?: Condition[];
  /** The patient's medication requests, as read (the prefetch asks for the active ones). */
  medicationRequests?: ReadList<MedicationRequest>;
  medicationStatements?: ReadList<MedicationStatement>;
  /** Medications that requests and statements may name by reference (from the request's or the prefetch's Bundles). */
  medications?: Medication[];
  /** The imatinib order being checked: a draft (order hooks) or the active order (patient-view). */
  order: MedicationRequest;
  /** The other draft orders of the same request (a prednisone order counts as co-therapy). */
  otherDraftOrders: MedicationRequest[];
  /** The day of the call, for ages, the currency of results and the months on imatinib. */
  now: Date;
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

function pregnant(observation: Observation | undefined): boolean | undefined {
  const answer = observation?.valueCodeableConcept;
  if (hasCode(answer, SYSTEM.loinc, [LOINC_ANSWER.pregnant])) return true;
  if (hasCode(answer, SYSTEM.loinc, [LOINC_ANSWER.notPregnant])) return false;
  return undefined;
}

// ---------------------------------------------------------------------------------------- cardiac

/**
 * The echocardiogram from the current study's interpretation, and the current LV ejection fraction:
 * either one abnormal (a fraction below its range) makes it abnormal. Only the study can say normal:
 * a normal ejection fraction does not rule out the cardiac involvement the screen looks for, so it
 * never hides the screen.
 */
function echocardiogram(observations: readonly Observation[], now: Date): 'normal' | 'abnormal' | undefined {
  const study = currentResult(observations, LAB.echocardiogram, now);
  const fraction = currentResult(observations, LAB.lvEjectionFraction, now);
  const studyAbnormal = study && interpretationMeansAbnormal(study);
  if (studyAbnormal === true || (fraction && belowRange(fraction) === true)) return 'abnormal';
  return studyAbnormal === false ? 'normal' : undefined;
}

function interpretationMeansAbnormal(observation: Observation): boolean | undefined {
  const said = interpretationOf(observation);
  return said === undefined ? undefined : said !== 'normal';
}

function troponin(observations: readonly Observation[], now: Date): 'normal' | 'elevated' | undefined {
  const result = currentResult(observations, LAB.troponin, now);
  const above = result && aboveRange(result);
  return above === undefined ? undefined : above ? 'elevated' : 'normal';
}

// ---------------------------------------------------------------------------------------- conditions, orders

function smSubtype(conditions: readonly Condition[]): 'ASM' | 'MCL' | undefined {
  const active = conditions.filter(
    (c) => !codings(c.clinicalStatus).some((cd) => ['inactive', 'resolved', 'remission'].includes(cd.code ?? '')),
  );
  const subtypes = new Set(
    active.flatMap((c) =>
      codings(c.code)
        .filter((cd) => cd.system === SYSTEM.icd10cm)
        .map((cd) => lookup(ICD10CM_SUBTYPE, cd.code)),
    ),
  );
  subtypes.delete(undefined);
  // Two different subtypes on record is a contradiction for a clinician to resolve, not for us to pick.
  return subtypes.size === 1 ? [...subtypes][0] : undefined;
}

const ORDER_STATUS: Readonly<Record<string, 'proposed' | 'active'>> = { draft: 'proposed', active: 'active' };

/**
 * Whether the order starts therapy (facts.md v2, `order.startsTherapy`): false when the patient
 * already takes imatinib (another active order or statement, the order itself active, or a draft
 * renewing an earlier prescription); true when the medication lists were read whole and hold no
 * imatinib; unknown otherwise.
 */
function startsTherapy(inputs: FhirInputs, continuing: readonly unknown[]): boolean | undefined {
  if (inputs.order.status === 'active' || inputs.order.priorPrescription !== undefined || continuing.length > 0) return false;
  const lists = [inputs.medicationRequests, inputs.medicationStatements];
  return lists.every((list) => list !== undefined && list.unreadable === 0) ? true : undefined;
}

function orderFacts(inputs: FhirInputs, continuing: readonly unknown[]): NonNullable<PatientFacts['order']> {
  const dose = dailyDoseMg(inputs.order, drugOf(inputs.order, inputs.medications));
  const status = lookup(ORDER_STATUS, inputs.order.status);
  const starts = startsTherapy(inputs, continuing);
  return {
    drug: 'imatinib',
    ...(dose !== undefined ? { dailyDoseMg: dose } : {}),
    ...(status ? { status } : {}),
    ...(starts !== undefined ? { startsTherapy: starts } : {}),
    // A prednisone draft order alongside says yes; its absence is not a "no" (it may be planned elsewhere).
    ...(inputs.otherDraftOrders.some((o) => isPrednisoneDrug(drugOf(o, inputs.medications)))
      ? { prednisoneCoTherapy: true }
      : {}),
  };
}

// ---------------------------------------------------------------------------------------- all together

const compact = <T extends object>(section: T): T | undefined =>
  Object.values(section).some((v) => v !== undefined)
    ? (Object.fromEntries(Object.entries(section).filter(([, v]) => v !== undefined)) as T)
    : undefined;

/** Is this request or statement for imatinib (by its own concept or the Medication it references)? */
export const isImatinib = (use: MedicationRequest | MedicationStatement, medications: readonly Medication[] = []) =>
  isImatinibDrug(drugOf(use, medications));

/** Builds the PatientFacts for one imatinib order from what the EHR sent or we read. */
export function factsFromFhir(inputs: FhirInputs): PatientFacts {
  const { now } = inputs;
  const observations = inputs.observations ?? [];
  const current = (group: (typeof LAB)[keyof typeof LAB]) => currentResult(observations, group, now);
  const count = (group: (typeof LAB)[keyof typeof LAB]) => inUnits(current(group)?.valueQuantity, group.units);
  const medications = inputs.medications ?? [];
  const uses = [...(inputs.medicationRequests?.resources ?? []), ...(inputs.medicationStatements?.resources ?? [])];
  const continuing = continuingImatinib(uses, medications, inputs.order);
  const active = activeMedicationNames(
    [inputs.medicationRequests, inputs.medicationStatements].map((list) =>
      list ? { uses: list.resources, unreadable: list.unreadable } : { uses: [], unreadable: 1 },
    ),
    medications,
    inputs.otherDraftOrders,
  );
  const start = courseStart(inputs.order.status === 'active' ? [...continuing, inputs.order] : continuing);

  const facts: PatientFacts = {
    patient: compact({
      ageYears: ageInYears(inputs.patient?.birthDate, now),
      sex: sexOf(inputs.patient),
      pregnant: pregnant(current(LAB.pregnancyStatus)),
      creatinineClearanceMlMin: count(LAB.creatinineClearanceCockcroftGault) ?? count(LAB.creatinineClearance24h),
    }),
    diagnosis: compact({ smSubtype: inputs.conditions ? smSubtype(inputs.conditions) : undefined }),
    molecular: compact(molecularFacts(observations)),
    labs: compact({
      serumTryptaseNgMl: count(LAB.serumTryptase),
      eosinophilsPerMicroliter: count(LAB.eosinophils),
      neutrophilsPerMicroliter: count(LAB.neutrophils),
      plateletsPerMicroliter: count(LAB.platelets),
      bilirubinTimesUln: timesUpperLimit(current(LAB.bilirubin)),
      altTimesUln: timesUpperLimit(current(LAB.alt)),
      astTimesUln: timesUpperLimit(current(LAB.ast)),
    }),
    cardiac: compact({ echocardiogram: echocardiogram(observations, now), troponin: troponin(observations, now) }),
    medications: active !== undefined ? { active } : undefined,
    order: orderFacts(inputs, continuing),
    treatmentCourse: treatmentCourseOf(observations, start, now),
  };
  return Object.fromEntries(Object.entries(facts).filter(([, v]) => v !== undefined)) as PatientFacts;
}
