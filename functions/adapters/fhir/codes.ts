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
  ucum: 'http://unitsofmeasure.org',
  interpretation: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation',
  sexForClinicalUse: 'http://terminology.hl7.org/CodeSystem/sex-parameter-for-clinical-use',
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
 * RxNorm ingredient codes of the knowledge base's value-set members (and prednisone), by code: a
 * medication coded with one of them is listed in `medications.active` under this generic name.
 * Members without a confirmed code (St John's wort, apalutamide, enzalutamide, ivosidenib,
 * cobicistat, idelalisib and the newer inhibitors) are matched by the name in the medication's text.
 */
export const RXNORM_INGREDIENTS: Readonly<Record<string, string>> = Object.freeze({
  '2002': 'carbamazepine',
  '8134': 'phenobarbital',
  '8183': 'phenytoin',
  '72236': 'fosphenytoin',
  '8691': 'primidone',
  '9384': 'rifampin',
  '35617': 'rifapentine',
  '7004': 'mitotane',
  '1655922': 'lumacaftor',
  '3264': 'dexamethasone',
  '55672': 'rifabutin',
  '6135': 'ketoconazole',
  '28031': 'itraconazole',
  '282446': 'posaconazole',
  '121243': 'voriconazole',
  '21212': 'clarithromycin',
  '274786': 'telithromycin',
  '343047': 'atazanavir',
  '114289': 'indinavir',
  '134527': 'nelfinavir',
  '85762': 'ritonavir',
  '83395': 'saquinavir',
  '31565': 'nefazodone',
  '480': 'alfentanil',
  '3008': 'cyclosporine',
  '3418': 'dihydroergotamine',
  '4025': 'ergotamine',
  '4337': 'fentanyl',
  '8331': 'pimozide',
  '9068': 'quinidine',
  '35302': 'sirolimus',
  '42316': 'tacrolimus',
  '36567': 'simvastatin',
  '11289': 'warfarin',
  '10582': 'levothyroxine',
  [PREDNISONE.code]: PREDNISONE.display,
});

/** A quantity's unit and the factor that takes it to the unit of the fact (UCUM codes only). */
export type UnitFactors = Readonly<Record<string, number>>;

/** One kind of result: its LOINC codes, most specific first, and the units it is read in. */
export interface LabCodes {
  loinc: readonly string[];
  units: UnitFactors;
  /** The largest value the fact can take (a percent), beyond which the result is not read. */
  max?: number;
}

const PER_MICROLITER: UnitFactors = { '/uL': 1, '{cells}/uL': 1, '10*3/uL': 1000, '10*9/L': 1000, '/mm3': 1 };

/** The results the mapping reads, with the codes looked up for each (docs/cds-hooks.md). */
export const LAB = Object.freeze({
  serumTryptase: { loinc: ['21582-2'], units: { 'ng/mL': 1, 'ug/L': 1 } },
  eosinophils: { loinc: ['711-2', '26449-9'], units: PER_MICROLITER },
  neutrophils: { loinc: ['751-8', '26499-4'], units: PER_MICROLITER },
  platelets: { loinc: ['777-3'], units: PER_MICROLITER },
  /** Cockcroft-Gault first (the label's classes are by it), a 24-hour measured clearance only without one. */
  creatinineClearanceCockcroftGault: { loinc: ['35591-7'], units: { 'mL/min': 1 } },
  creatinineClearance24h: { loinc: ['2164-2'], units: { 'mL/min': 1 } },
  /** A ratio to the upper limit of normal needs no unit factor: value and range share the unit. */
  bilirubin: { loinc: ['1975-2', '42719-5'], units: {} },
  alt: { loinc: ['1742-6', '1743-4', '1744-2'], units: {} },
  ast: { loinc: ['1920-8', '30239-8', '88112-8'], units: {} },
  troponin: { loinc: ['67151-1', '6598-7', '89579-7', '10839-9'], units: {} },
  /** An echocardiography study read by its interpretation, and left ventricular ejection fraction by its range. */
  echocardiogram: { loinc: ['18106-5'], units: {} },
  lvEjectionFraction: { loinc: ['18043-0', '10230-1'], units: { '%': 1 } },
  pregnancyStatus: { loinc: ['82810-3'], units: {} },
} satisfies Record<string, LabCodes>);

/** The trial's measured endpoints over time (the treatment course): baseline and current values. */
export const HISTORY = Object.freeze({
  serumTryptaseNgMl: { loinc: ['21582-2'], units: { 'ng/mL': 1, 'ug/L': 1 } },
  /** 24-hour and random urine are different measures: a baseline and a current value must share code and unit. */
  urinaryNMethylhistamine: { loinc: ['44340-8', '13781-0'], units: {} },
  boneMarrowMastCellPercent: { loinc: ['11109-6'], units: { '%': 1 }, max: 100 },
} satisfies Record<string, LabCodes>);

export const VARIANT_LOINC = Object.freeze({
  geneticVariantAssessment: '69548-6',
  geneStudied: '48018-6',
  aminoAcidChange: '48005-3',
  variationCode: '81252-9',
});

export const LOINC_ANSWER = Object.freeze({
  pregnant: 'LA15173-0',
  notPregnant: 'LA26683-5',
  pregnancyUnknown: 'LA4489-6',
  present: 'LA9633-4',
  absent: 'LA9634-2',
});

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
