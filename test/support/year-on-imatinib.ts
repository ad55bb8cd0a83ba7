/**
 * A synthetic patient a year into imatinib, dated relative to today so the test means the same on
 * any day: the imatinib order of a year ago, tryptase and N-methylhistamine before the start and now,
 * recent counts and liver tests, and KIT D816V. As a FHIR server would hold it (the prefetch keys of
 * the services), and as the PatientFacts a clinician would write for the same patient.
 */
import type { PatientFacts } from '../../functions/core/index.js';

const DAY = 24 * 60 * 60 * 1000;
const daysAgo = (days: number, now: Date) => new Date(now.getTime() - days * DAY).toISOString().slice(0, 10);
const PT = 'pt-year';
const ucum = (value: number, code: string) => ({ value, unit: code, system: 'http://unitsofmeasure.org', code });
const bundle = (resources: object[]) => ({
  resourceType: 'Bundle',
  type: 'searchset',
  total: resources.length,
  entry: resources.map((resource) => ({ resource })),
});

function observation(id: string, code: string, date: string, value: object, extra: object = {}) {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code }] },
    subject: { reference: `Patient/${PT}` },
    effectiveDateTime: date,
    ...value,
    ...extra,
  };
}

/**
 * Days since the start: dated by day while "now" has a time of day, so the months since run from
 * 360 to 361 days (11.83 to 11.86 months), which floor to 11.8 at any hour. 365 days would cross 12.0
 * at 06:00 UTC (365.25 days is 12 mean months).
 */
export const START_DAYS_AGO = 360;

export function yearOnImatinibRecord(now: Date): Record<string, unknown> {
  const start = daysAgo(START_DAYS_AGO, now);
  const recent = daysAgo(5, now);
  const beforeStart = daysAgo(START_DAYS_AGO + 10, now);
  const range = (high: number, unit: string) => ({ referenceRange: [{ high: ucum(high, unit) }] });
  const record: Record<string, unknown> = {
    patient: { resourceType: 'Patient', id: PT, gender: 'male', birthDate: '1961-07-02' },
    labs: bundle([
      observation('anc', '751-8', recent, { valueQuantity: ucum(2.9, '10*9/L') }),
      observation('plt', '777-3', recent, { valueQuantity: ucum(180, '10*3/uL') }),
      observation('alt', '1742-6', recent, { valueQuantity: ucum(30, 'U/L') }, range(40, 'U/L')),
      observation('ast', '1920-8', recent, { valueQuantity: ucum(28, 'U/L') }, range(40, 'U/L')),
      observation('bili', '1975-2', recent, { valueQuantity: ucum(0.7, 'mg/dL') }, range(1.2, 'mg/dL')),
    ]),
    history: bundle([
      observation('tryptase-now', '21582-2', recent, { valueQuantity: ucum(61, 'ng/mL') }),
      observation('nmh-now', '44340-8', recent, { valueQuantity: ucum(180, 'ug/g{creat}') }),
      observation('tryptase-base', '21582-2', beforeStart, { valueQuantity: ucum(140, 'ng/mL') }),
      observation('nmh-base', '44340-8', beforeStart, { valueQuantity: ucum(320, 'ug/g{creat}') }),
    ]),
    variants: bundle([
      observation(
        'kit',
        '69548-6',
        daysAgo(400, now),
        { valueCodeableConcept: { coding: [{ system: 'http://loinc.org', code: 'LA9633-4' }] } },
        {
          component: [
            {
              code: { coding: [{ system: 'http://loinc.org', code: '48018-6' }] },
              valueCodeableConcept: { coding: [{ system: 'http://www.genenames.org/geneId', code: 'HGNC:6342' }] },
            },
            {
              code: { coding: [{ system: 'http://loinc.org', code: '48005-3' }] },
              valueCodeableConcept: { coding: [{ system: 'http://varnomen.hgvs.org', code: 'NP_000213.1:p.Asp816Val' }] },
            },
          ],
        },
      ),
    ]),
    conditions: bundle([]),
    medications: bundle([
      {
        resourceType: 'MedicationRequest',
        id: 'imatinib-order',
        status: 'active',
        intent: 'order',
        subject: { reference: `Patient/${PT}` },
        authoredOn: start,
        medicationCodeableConcept: {
          coding: [
            { system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '403879', display: 'imatinib 400 MG Oral Tablet' },
          ],
        },
        dosageInstruction: [
          { timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } }, doseAndRate: [{ doseQuantity: ucum(400, 'mg') }] },
        ],
      },
    ]),
    statements: bundle([]),
  };
  // The history of any status holds the same order: no earlier course on record.
  return { ...record, medicationHistory: record.medications, statementHistory: record.statements };
}

/** The same patient as PatientFacts, written by hand from the record above. */
export const yearOnImatinibFacts: PatientFacts = {
  patient: { sex: 'male' },
  molecular: { kitD816V: 'detected' },
  labs: {
    neutrophilsPerMicroliter: 2900,
    plateletsPerMicroliter: 180000,
    altTimesUln: 0.75,
    astTimesUln: 0.7,
    bilirubinTimesUln: 0.583333,
  },
  medications: { active: [], unidentified: [], imatinibBefore: false },
  order: { drug: 'imatinib', dailyDoseMg: 400, status: 'active', startsTherapy: false },
  treatmentCourse: {
    monthsOnImatinib: 11.8,
    baseline: { serumTryptaseNgMl: 140, urinaryNMethylhistamine: 320 },
    current: { serumTryptaseNgMl: 61, urinaryNMethylhistamine: 180 },
  },
};
