import type { MedicationRequest, Observation } from 'fhir/r4';

/** Small FHIR R4 builders for mapping tests; realistic requests come from events/cds-hooks.*.json. */

export const subject = { reference: 'Patient/pt-1' };

export const quantity = (value: number, code: string) => ({ value, unit: code, system: 'http://unitsofmeasure.org', code });

export function observation(
  code: string,
  value: Partial<Observation>,
  effectiveDateTime = '2026-11-20',
  status: Observation['status'] = 'final',
): Observation {
  return {
    resourceType: 'Observation',
    status,
    code: { coding: [{ system: 'http://loinc.org', code }] },
    subject,
    effectiveDateTime,
    ...value,
  };
}

export function variant(
  genes: { system?: string; code?: string; text?: string }[],
  present: boolean,
  proteinChange?: string,
): Observation {
  return {
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '69548-6' }] },
    subject,
    valueCodeableConcept: { coding: [{ system: 'http://loinc.org', code: present ? 'LA9633-4' : 'LA9634-2' }] },
    component: [
      ...genes.map((g) => ({
        code: { coding: [{ system: 'http://loinc.org', code: '48018-6' }] },
        valueCodeableConcept: g.code
          ? { coding: [{ system: g.system ?? 'http://www.genenames.org/geneId', code: g.code }] }
          : { text: g.text },
      })),
      ...(proteinChange
        ? [
            {
              code: { coding: [{ system: 'http://loinc.org', code: '48005-3' }] },
              valueCodeableConcept: { coding: [{ system: 'http://varnomen.hgvs.org', code: proteinChange }] },
            },
          ]
        : []),
    ],
  };
}

export function medicationRequest(
  medication: { code?: string; text?: string },
  dosage: MedicationRequest['dosageInstruction'] = [],
  status: MedicationRequest['status'] = 'draft',
  id = 'mr-1',
): MedicationRequest {
  return {
    resourceType: 'MedicationRequest',
    id,
    status,
    intent: 'order',
    subject,
    medicationCodeableConcept: {
      ...(medication.code ? { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: medication.code }] } : {}),
      ...(medication.text ? { text: medication.text } : {}),
    },
    dosageInstruction: dosage,
  };
}

export const dailyDosage = (mg: number, frequency = 1, period = 1, periodUnit: 'd' | 'h' | 'wk' = 'd') => [
  { timing: { repeat: { frequency, period, periodUnit } }, doseAndRate: [{ doseQuantity: quantity(mg, 'mg') }] },
];
