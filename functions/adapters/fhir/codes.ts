/**
 * The standard codes the FHIR mapping reads and writes, each looked up in a public source (README,
 * "CDS Hooks: FHIR mapping"). Codes that could not be confirmed are left out on purpose: the SNOMED
 * CT codes of the SM subtypes, the HGNC id of FIP1L1 (matched by its gene symbol instead) and the
 * RxNorm codes of the inducers marked `rxnorm: undefined` (matched by name).
 */

export const SYSTEM = Object.freeze({
  rxnorm: 'http://www.nlm.nih.gov/research/umls/rxnorm',
  loinc: 'http://loinc.org',
  icd10cm: 'http://hl7.org/fhir/sid/icd-10-cm',
  ucum: 'http://unitsofmeasure.org',
});

/** HGNC gene ids appear under both URIs (Genomics Reporting IG STU3 and mCODE / older IGs). */
export const HGNC_SYSTEMS: readonly string[] = ['http://www.genenames.org', 'http://www.genenames.org/geneId'];

export const RXNORM = Object.freeze({
  imatinib: { code: '282388', display: 'imatinib' },
  imatinib100mgTablet: { code: '403878', display: 'imatinib 100 MG Oral Tablet' },
  imatinib400mgTablet: { code: '403879', display: 'imatinib 400 MG Oral Tablet' },
  gleevec100mgTablet: { code: '404588', display: 'imatinib 100 MG Oral Tablet [Gleevec]' },
  gleevec400mgTablet: { code: '404589', display: 'imatinib 400 MG Oral Tablet [Gleevec]' },
  prednisone: { code: '8640', display: 'prednisone' },
});

/** Every RxNorm code that means an imatinib product here. */
export const IMATINIB_CODES: ReadonlySet<string> = new Set(
  [
    RXNORM.imatinib,
    RXNORM.imatinib100mgTablet,
    RXNORM.imatinib400mgTablet,
    RXNORM.gleevec100mgTablet,
    RXNORM.gleevec400mgTablet,
  ].map((c) => c.code),
);

/** A 400 mg tablet product and its 100 mg counterpart, for a suggested change to 100 mg/day. */
export const HUNDRED_MG_COUNTERPART: Readonly<Record<string, { code: string; display: string }>> = {
  [RXNORM.imatinib400mgTablet.code]: RXNORM.imatinib100mgTablet,
  [RXNORM.gleevec400mgTablet.code]: RXNORM.gleevec100mgTablet,
};

export interface InducerEntry {
  /** The name reported in `medications.strongCyp3a4Inducers`. */
  name: string;
  /** Other names a medication's text may use. */
  synonyms: readonly string[];
  rxnorm?: string;
}

/**
 * Strong CYP3A inducers, as classified in Clin Transl Sci 2022;15(9):2075-95 (doi:10.1111/cts.13357,
 * Table 1), less avasimibe (not marketed). RxNorm ingredient codes where one was confirmed.
 */
export const STRONG_CYP3A4_INDUCERS: readonly InducerEntry[] = [
  { name: 'apalutamide', synonyms: [], rxnorm: '1999574' },
  { name: 'carbamazepine', synonyms: [], rxnorm: '2002' },
  { name: 'enzalutamide', synonyms: [], rxnorm: '1307298' },
  { name: 'ivosidenib', synonyms: [] },
  { name: 'lumacaftor', synonyms: [] },
  { name: 'mitotane', synonyms: [], rxnorm: '7004' },
  { name: 'phenytoin', synonyms: [], rxnorm: '8183' },
  { name: 'rifampin', synonyms: ['rifampicin'], rxnorm: '9384' },
  { name: 'rifapentine', synonyms: [] },
  { name: "St John's wort", synonyms: ["st. john's wort", "st john's wort", 'st johns wort', 'hypericum'] },
];

export const LOINC = Object.freeze({
  serumTryptase: '21582-2',
  eosinophilsAutomated: '711-2',
  eosinophils: '26449-9',
  creatinineClearanceCockcroftGault: '35591-7',
  creatinineClearance24h: '2164-2',
  pregnancyStatus: '82810-3',
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

export const HGNC = Object.freeze({ KIT: 'HGNC:6342', PDGFRA: 'HGNC:8803' });

/** ICD-10-CM codes that name one WHO subtype (D47.02, "systemic mastocytosis", names none). */
export const ICD10CM_SUBTYPE: Readonly<Record<string, 'ASM' | 'MCL'>> = { 'C96.21': 'ASM', 'C94.30': 'MCL' };
