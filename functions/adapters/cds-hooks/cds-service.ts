import type { Bundle, MedicationRequest } from 'fhir/r4';
import { isImatinib, resourcesOf } from '../fhir/fhir-to-facts.js';
import type { CdsRequest } from './cds-request.js';

/** A service's entry in the discovery document (CDS Hooks 2.0, Discovery). */
export interface DiscoveryEntry {
  id: string;
  hook: 'order-select' | 'order-sign';
  title: string;
  description: string;
  prefetch: Record<string, string>;
  usageRequirements: string;
}

/** One CDS service: its discovery entry next to the logic that picks the orders it checks. */
export interface CdsService {
  definition: DiscoveryEntry;
  /** The imatinib draft orders this hook asks about. */
  imatinibOrders(request: CdsRequest): MedicationRequest[];
}

export const draftMedicationRequests = (request: CdsRequest): MedicationRequest[] =>
  resourcesOf<MedicationRequest>(request.context.draftOrders as Bundle, 'MedicationRequest');

export const imatinibDraftOrders = (request: CdsRequest): MedicationRequest[] =>
  draftMedicationRequests(request).filter(isImatinib);

/**
 * What the mapping needs, fetched by the EHR before the call. The same queries serve both hooks;
 * observations are asked for by LOINC code so the EHR sends only what the rules read.
 */
export const PREFETCH: Readonly<Record<string, string>> = Object.freeze({
  patient: 'Patient/{{context.patientId}}',
  labs:
    'Observation?patient={{context.patientId}}&code=' +
    ['21582-2', '711-2', '26449-9', '35591-7', '2164-2', '82810-3'].map((code) => `http://loinc.org|${code}`).join(','),
  variants: 'Observation?patient={{context.patientId}}&code=http://loinc.org|69548-6',
  conditions: 'Condition?patient={{context.patientId}}&clinical-status=active',
  medications: 'MedicationRequest?patient={{context.patientId}}&status=active',
});

export const USAGE_REQUIREMENTS =
  'Send the imatinib MedicationRequest in draftOrders with its dose (doseQuantity in mg) and timing. ' +
  'Findings are as complete as the data: KIT D816V and FIP1L1-PDGFRA as HL7 Genomics Reporting variant ' +
  'Observations (LOINC 69548-6), serum tryptase (21582-2), eosinophils (711-2 or 26449-9), creatinine ' +
  'clearance (35591-7 Cockcroft-Gault, or 2164-2), pregnancy status (82810-3), SM subtype as an ICD-10-CM ' +
  'Condition, and active MedicationRequests coded in RxNorm. What is missing is reported on a card.';
