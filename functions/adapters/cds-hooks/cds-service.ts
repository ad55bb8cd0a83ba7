import type { Medication, MedicationRequest } from 'fhir/r4';
import type { Finding } from '../../core/index.js';
import { CONDITION_ACTIVE, HISTORY, LAB, loincCodesOf, MEDICATION_STATUS, oidOf, SYSTEM, VARIANT_LOINC } from '../fhir/codes.js';
import { isImatinib } from '../fhir/fhir-to-facts.js';
import { resourcesOf } from '../fhir/resources.js';
import type { CdsRequest } from './cds-request.js';

/** A service's entry in the discovery document (CDS Hooks 2.0, Discovery). */
export interface DiscoveryEntry {
  id: string;
  hook: 'order-select' | 'order-sign' | 'patient-view';
  title: string;
  description: string;
  prefetch: Record<string, string>;
  usageRequirements: string;
}

/** One CDS service: its discovery entry next to the logic that picks what it checks and shows. */
export interface CdsService {
  definition: DiscoveryEntry;
  /**
   * The imatinib draft orders this hook asks about, read from the request alone (so that a call
   * about another drug reads nothing); absent when the order comes from the record (patient-view).
   */
  draftOrders?(request: CdsRequest): MedicationRequest[];
  /** Which findings the hook shows, by the kind of finding (default: all). */
  shows?(finding: Pick<Finding, 'category' | 'indicator'>): boolean;
}

/** The MedicationRequests of the request's draft orders. */
export const draftMedicationRequests = (request: CdsRequest): MedicationRequest[] =>
  resourcesOf<MedicationRequest>(request.context.draftOrders, 'MedicationRequest');

/** Medications the drafts may name by reference, from the draft Bundle. */
export const draftMedications = (request: CdsRequest): Medication[] =>
  resourcesOf<Medication>(request.context.draftOrders, 'Medication');

export const imatinibDraftOrders = (request: CdsRequest): MedicationRequest[] =>
  draftMedicationRequests(request).filter((order) => isImatinib(order, draftMedications(request)));

const OBSERVATION_CODES = loincCodesOf(LAB);
const LOINC_OID = oidOf(SYSTEM.loinc)!;
/** Each LOINC code under its URI and its OID: a token search matches the system as stored. */
const codeList = (codes: readonly string[]) =>
  codes.flatMap((code) => [`${SYSTEM.loinc}|${code}`, `${LOINC_OID}|${code}`]).join(',');

/**
 * What the mapping reads, fetched by the EHR before the call; the same queries serve every hook.
 * Observations are asked for by the LOINC codes of fhir/codes.ts, so the EHR sends only what the
 * rules read, and newest first with a page size named: a server's default page (often 10 to 50
 * results, oldest first on some) could leave out the current result. The history of the trial's
 * endpoints asks for enough to hold the baseline before the start of the course. Medications:
 * those taken now (`medications`, `statements`), and every request and statement of a status that
 * means the drug was taken at some time, newest first (`medicationHistory`, `statementHistory`),
 * for the imatinib course and whether imatinib was taken before. Every search is read through its
 * `next` pages up to a bound (prefetch.ts, MAX_PAGES).
 */
export const PREFETCH: Readonly<Record<string, string>> = Object.freeze({
  patient: 'Patient/{{context.patientId}}',
  labs: `Observation?patient={{context.patientId}}&code=${codeList(OBSERVATION_CODES)}&_sort=-date&_count=500`,
  history: `Observation?patient={{context.patientId}}&code=${codeList(loincCodesOf(HISTORY))}&_sort=-date&_count=200`,
  variants: `Observation?patient={{context.patientId}}&code=${codeList([VARIANT_LOINC.geneticVariantAssessment])}&_sort=-date&_count=100`,
  conditions: `Condition?patient={{context.patientId}}&clinical-status=${CONDITION_ACTIVE.join(',')}&_count=100`,
  medications: `MedicationRequest?patient={{context.patientId}}&status=${MEDICATION_STATUS.takenNow.join(',')}&_include=MedicationRequest:medication&_count=100`,
  statements: `MedicationStatement?patient={{context.patientId}}&status=${MEDICATION_STATUS.takenNow.join(',')}&_include=MedicationStatement:medication&_count=100`,
  medicationHistory: `MedicationRequest?patient={{context.patientId}}&status=${MEDICATION_STATUS.takenAtSomeTime.join(',')}&_include=MedicationRequest:medication&_sort=-authoredon&_count=100`,
  statementHistory: `MedicationStatement?patient={{context.patientId}}&status=${MEDICATION_STATUS.takenAtSomeTime.join(',')}&_include=MedicationStatement:medication&_sort=-effective&_count=100`,
});

const named = (groups: Readonly<Record<string, { loinc: readonly string[] }>>, names: Record<string, string>) =>
  Object.entries(names)
    .map(([key, label]) => `${label} (${groups[key]!.loinc.join(', ')})`)
    .join(', ');

/** How to feed the services, in words, built from the same code tables as the prefetch. */
export const USAGE_REQUIREMENTS =
  'Send the imatinib MedicationRequest in draftOrders with its dose (doseQuantity in mg, or a count of tablets of an RxNorm-coded ' +
  'imatinib tablet) and timing. Findings are as complete as the data: KIT D816V and FIP1L1-PDGFRA as HL7 Genomics Reporting variant ' +
  `Observations (LOINC ${VARIANT_LOINC.geneticVariantAssessment}); results within the last 30 days for ` +
  named(LAB, {
    serumTryptase: 'serum tryptase',
    eosinophils: 'eosinophils',
    neutrophils: 'neutrophils',
    platelets: 'platelets',
    bilirubin: 'bilirubin',
    alt: 'ALT',
    ast: 'AST',
    creatinineClearanceCockcroftGault: 'Cockcroft-Gault creatinine clearance',
    creatinineClearance24h: 'or a 24-hour one',
    troponin: 'troponin',
    echocardiogram: 'echocardiography',
    lvEjectionFraction: 'LV ejection fraction',
    pregnancyStatus: 'pregnancy status',
  }) +
  ', with reference ranges (LOINC under its URI or OID; UCUM units or common lab unit texts); the course of ' +
  named(HISTORY, {
    serumTryptaseNgMl: 'serum tryptase',
    urinaryNMethylhistamine: 'urinary N-methylhistamine',
    boneMarrowMastCellPercent: 'bone-marrow mast cells',
  }) +
  '; SM subtype as an ICD-10-CM Condition; MedicationRequests and MedicationStatements coded in RxNorm or named, the active ones and the imatinib history of any status (renewals linked by priorPrescription). Searches are read through their next pages up to 5. What is missing is reported on a card.';
