/**
 * The standard codes the FHIR mapping reads and writes, each looked up in a public source and
 * listed with it in docs/fhir-codes.md. What could not be confirmed is left out on purpose, so the
 * fact it would give stays unknown: SNOMED CT codes of the SM subtypes, the HGNC id of FIP1L1
 * (matched by gene symbol), RxNorm codes of the value-set members marked so in the docs (matched by
 * name), the manual-count codes of eosinophils and neutrophils, an echocardiogram report code, a
 * grading of hepatic impairment.
 */

export const SYSTEM = Object.freeze({
  rxnorm: 'http://www.nlm.nih.gov/research/umls/rxnorm',
  loinc: 'http://loinc.org',
  icd10cm: 'http://hl7.org/fhir/sid/icd-10-cm',
  snomed: 'http://snomed.info/sct',
  ucum: 'http://unitsofmeasure.org',
  interpretation: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation',
  sexForClinicalUse: 'http://terminology.hl7.org/CodeSystem/sex-parameter-for-clinical-use',
  orderableDrugForm: 'http://terminology.hl7.org/CodeSystem/v3-orderableDrugForm',
  conditionClinical: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
  conditionVerification: 'http://terminology.hl7.org/CodeSystem/condition-ver-status',
});

/**
 * The OID form of a code system (`urn:oid:...`) and the URI it stands for: EHRs built on HL7 v3 and
 * CDA send codings under the OID, and a coding counts under either (facts.md, From FHIR v3).
 */
export const SYSTEM_BY_OID: Readonly<Record<string, string>> = Object.freeze({
  'urn:oid:2.16.840.1.113883.6.1': SYSTEM.loinc,
  'urn:oid:2.16.840.1.113883.6.88': SYSTEM.rxnorm,
  'urn:oid:2.16.840.1.113883.6.90': SYSTEM.icd10cm,
  'urn:oid:2.16.840.1.113883.6.96': SYSTEM.snomed,
  'urn:oid:2.16.840.1.113883.6.8': SYSTEM.ucum,
});

/** Extensions that say a patient's sex for clinical use, most specific first. */
export const EXTENSION = Object.freeze({
  sexParameterForClinicalUse: 'http://hl7.org/fhir/StructureDefinition/patient-sexParameterForClinicalUse',
  usCoreBirthSex: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex',
});

/** HGNC gene ids appear under both URIs (Genomics Reporting IG STU3 and mCODE / older IGs). */
export const HGNC_SYSTEMS: readonly string[] = ['http://www.genenames.org', 'http://www.genenames.org/geneId'];

export const HGNC = Object.freeze({ KIT: 'HGNC:6342', PDGFRA: 'HGNC:8803' });

export interface RxNormProduct {
  code: string;
  display: string;
  /** mg per tablet, for a dose given as a count of tablets. */
  strengthMg?: number;
}

/** Imatinib in RxNorm: the ingredient and the tablets the public CDS Hooks sandbox offers. */
export const IMATINIB = Object.freeze({
  ingredient: { code: '282388', display: 'imatinib' },
  tablet100: { code: '403878', display: 'imatinib 100 MG Oral Tablet', strengthMg: 100 },
  tablet400: { code: '403879', display: 'imatinib 400 MG Oral Tablet', strengthMg: 400 },
  gleevec100: { code: '404588', display: 'imatinib 100 MG Oral Tablet [Gleevec]', strengthMg: 100 },
  gleevec400: { code: '404589', display: 'imatinib 400 MG Oral Tablet [Gleevec]', strengthMg: 400 },
} satisfies Record<string, RxNormProduct>);

export const IMATINIB_PRODUCTS: readonly RxNormProduct[] = Object.values(IMATINIB);

/** A 400 mg tablet product and its 100 mg counterpart, for a suggested change to 100 mg/day. */
export const HUNDRED_MG_COUNTERPART: Readonly<Record<string, RxNormProduct>> = {
  [IMATINIB.tablet400.code]: IMATINIB.tablet100,
  [IMATINIB.gleevec400.code]: IMATINIB.gleevec100,
};

export const PREDNISONE = Object.freeze({ code: '8640', display: 'prednisone' });

/**
 * One kind of result: its LOINC codes, most specific first, and the UCUM unit its fact is given in.
 * A result in another unit of the same kind is converted by a factor the UCUM library computed
 * (units.ts); without `unit`, a result is only read in its own unit (a ratio to its own range, or a
 * measure compared with itself over time).
 */
export interface LabCodes {
  loinc: readonly string[];
  unit?: string;
  /** The largest value the fact can take (a percent), beyond which the result is not read. */
  max?: number;
}

/** The results the mapping reads, with the codes looked up for each (docs/fhir-codes.md). */
export const LAB = Object.freeze({
  serumTryptase: { loinc: ['21582-2'], unit: 'ng/mL' },
  eosinophils: { loinc: ['711-2', '26449-9'], unit: '/uL' },
  neutrophils: { loinc: ['751-8', '26499-4'], unit: '/uL' },
  platelets: { loinc: ['777-3'], unit: '/uL' },
  /** Cockcroft-Gault first (the label's classes are by it), a 24-hour measured clearance only without one. */
  creatinineClearanceCockcroftGault: { loinc: ['35591-7'], unit: 'mL/min' },
  creatinineClearance24h: { loinc: ['2164-2'], unit: 'mL/min' },
  /** A ratio to the upper limit of normal: value and range in one unit (the range's taken into the value's). */
  bilirubin: { loinc: ['1975-2', '42719-5'] },
  alt: { loinc: ['1742-6', '1743-4', '1744-2'] },
  ast: { loinc: ['1920-8', '30239-8', '88112-8'] },
  troponin: { loinc: ['67151-1', '6598-7', '89579-7', '10839-9'] },
  /** An echocardiography study read by its interpretation, and left ventricular ejection fraction by its range. */
  echocardiogram: { loinc: ['18106-5'] },
  lvEjectionFraction: { loinc: ['18043-0', '10230-1'], unit: '%' },
  pregnancyStatus: { loinc: ['82810-3'] },
} satisfies Record<string, LabCodes>);

/**
 * The numeric facts read from the current result of their codes, one row each (facts.md, From
 * FHIR): `value` in the fact's unit, or `timesUpperLimit`, the result over the upper limit of its
 * own reference range. Where two groups are listed, the first that gives a value decides.
 */
export const NUMERIC_LAB_FACTS: readonly { fact: string; groups: readonly LabCodes[]; read: 'value' | 'timesUpperLimit' }[] = [
  {
    fact: 'patient.creatinineClearanceMlMin',
    groups: [LAB.creatinineClearanceCockcroftGault, LAB.creatinineClearance24h],
    read: 'value',
  },
  { fact: 'labs.serumTryptaseNgMl', groups: [LAB.serumTryptase], read: 'value' },
  { fact: 'labs.eosinophilsPerMicroliter', groups: [LAB.eosinophils], read: 'value' },
  { fact: 'labs.neutrophilsPerMicroliter', groups: [LAB.neutrophils], read: 'value' },
  { fact: 'labs.plateletsPerMicroliter', groups: [LAB.platelets], read: 'value' },
  { fact: 'labs.bilirubinTimesUln', groups: [LAB.bilirubin], read: 'timesUpperLimit' },
  { fact: 'labs.altTimesUln', groups: [LAB.alt], read: 'timesUpperLimit' },
  { fact: 'labs.astTimesUln', groups: [LAB.ast], read: 'timesUpperLimit' },
];

/** The trial's measured endpoints over time (the treatment course): baseline and current values. */
export const HISTORY = Object.freeze({
  serumTryptaseNgMl: { loinc: ['21582-2'], unit: 'ng/mL' },
  /** 24-hour and random urine are different measures: a baseline and a current value must share code and unit. */
  urinaryNMethylhistamine: { loinc: ['44340-8', '13781-0'] },
  boneMarrowMastCellPercent: { loinc: ['11109-6'], unit: '%', max: 100 },
} satisfies Record<string, LabCodes>);

export const VARIANT_LOINC = Object.freeze({
  geneticVariantAssessment: '69548-6',
  geneStudied: '48018-6',
  aminoAcidChange: '48005-3',
  variationCode: '81252-9',
});

/** LOINC answers of a variant observation (pregnancy answers: PREGNANCY_ANSWERS). */
export const LOINC_ANSWER = Object.freeze({
  present: 'LA9633-4',
  absent: 'LA9634-2',
});

/** Answers to pregnancy status (LOINC 82810-3): LOINC answers and SNOMED CT findings, as EHRs code them. */
export const PREGNANCY_ANSWERS: readonly { system: string; code: string; pregnant: boolean }[] = [
  { system: SYSTEM.loinc, code: 'LA15173-0', pregnant: true },
  { system: SYSTEM.loinc, code: 'LA26683-5', pregnant: false },
  { system: SYSTEM.snomed, code: '77386006', pregnant: true },
  { system: SYSTEM.snomed, code: '60001007', pregnant: false },
];

/** A Condition that records a pregnancy (a problem-list entry): SNOMED CT "Pregnant" (finding). */
export const PREGNANCY_CONDITION = Object.freeze({ system: SYSTEM.snomed, code: '77386006' });

/** Condition clinical statuses that mean the condition is there now. */
export const CONDITION_ACTIVE: readonly string[] = ['active', 'recurrence', 'relapse'];

/** Condition verification statuses under which a condition is not used: it was ruled out or recorded by mistake. */
export const CONDITION_NOT_USED: readonly string[] = ['refuted', 'entered-in-error'];

/**
 * Statuses of medication requests and statements: a drug taken now, and one taken at some time
 * (held, completed, stopped count for `medications.imatinibBefore`; cancelled, draft, intended,
 * not-taken and entered-in-error never do).
 */
export const MEDICATION_STATUS = Object.freeze({
  takenNow: ['active'],
  takenAtSomeTime: ['active', 'on-hold', 'completed', 'stopped'],
} satisfies Record<string, readonly string[]>);

/**
 * Units of a dose given as a count of tablets: UCUM annotations (any case: an annotation's case
 * carries no meaning) and unity, and HL7's orderable drug form TAB.
 */
export const TABLET_COUNT_UNITS: readonly { system?: string; code: string }[] = [
  { system: SYSTEM.ucum, code: '{pill}' },
  { system: SYSTEM.ucum, code: '{tbl}' },
  { system: SYSTEM.ucum, code: '1' },
  { system: SYSTEM.orderableDrugForm, code: 'TAB' },
];

/** Interpretation codes (v3 ObservationInterpretation) and what they say of a result. */
export const INTERPRETATION = Object.freeze({
  normal: ['N'],
  high: ['H', 'HH'],
  low: ['L', 'LL'],
  abnormal: ['A', 'AA', 'H', 'HH', 'L', 'LL'],
});

/** ICD-10-CM codes that name one WHO subtype (D47.02, "systemic mastocytosis", names none). */
export const ICD10CM_SUBTYPE: Readonly<Record<string, 'ASM' | 'MCL'>> = { 'C96.21': 'ASM', 'C94.30': 'MCL' };

/** Every LOINC code of `groups`, for a prefetch query. */
export function loincCodesOf(groups: Readonly<Record<string, LabCodes>>): string[] {
  return [...new Set(Object.values(groups).flatMap((group) => group.loinc))];
}

/** The OID of a code system URI, for a search that must find codings under either form. */
export function oidOf(system: string): string | undefined {
  return Object.entries(SYSTEM_BY_OID).find(([, uri]) => uri === system)?.[0];
}

/**
 * UCUM codes of one kind of quantity, as labs report results in them. `npm run generate` has the
 * UCUM library (@lhncbc/ucum-lhc) compute the factor between every two codes of a kind, so no factor
 * is written by hand; two codes of different kinds never convert (bilirubin in umol/L is never taken
 * into mg/dL: that needs a molar mass). Listed with their sources in docs/fhir-codes.md.
 */
export const UNIT_KINDS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  mass: ['mg', 'g', 'ug'],
  /** Timing.repeat.periodUnit and supply durations (FHIR units-of-time); a month or a year has no fixed length here. */
  time: ['min', 'h', 'd', 'wk'],
  numberConcentration: ['/uL', '{cells}/uL', '/mm3', '10*3/uL', '10^3/uL', '10*3/mm3', '10*9/L', '10^9/L'],
  massConcentration: ['ng/mL', 'ug/L', 'ng/L', 'pg/mL', 'mg/dL', 'mg/L', 'ug/dL'],
  substanceConcentration: ['umol/L', 'mmol/L'],
  catalyticConcentration: ['U/L', 'ukat/L'],
  volumeRate: ['mL/min', 'mL/s'],
  fraction: ['%'],
});

/**
 * Unit texts labs send that are not UCUM codes, and the UCUM code each stands for (compared in lower
 * case, a micro sign read as `u`, spaces ignored). Each entry was confirmed in a public source
 * (docs/fhir-codes.md): kept by hand because no library maps lab texts to UCUM.
 */
export const UNIT_TEXTS: Readonly<Record<string, string>> = Object.freeze({
  'k/ul': '10*3/uL',
  'k/mm3': '10*3/mm3',
  'k/cmm': '10*3/mm3',
  'x10e3/ul': '10*3/uL',
  'x10^3/ul': '10*3/uL',
  '10e9/l': '10*9/L',
  'x10e9/l': '10*9/L',
  'x10^9/l': '10*9/L',
  'cells/ul': '{cells}/uL',
  'cells/mm3': '/mm3',
  'mcg/l': 'ug/L',
  'mcg/dl': 'ug/dL',
});
