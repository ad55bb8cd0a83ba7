import { lookup } from '../fhir/lookup.js';

/** Plain names for the facts of PatientFacts, for the card that lists what is not on record. */
const LABELS: Readonly<Record<string, string>> = {
  'patient.pregnant': 'Pregnancy status',
  'patient.creatinineClearanceMlMin': 'Creatinine clearance (Cockcroft-Gault)',
  'patient.hepaticImpairment': 'Severity of hepatic impairment',
  'diagnosis.smSubtype': 'WHO subtype of systemic mastocytosis',
  'molecular.kitD816V': 'KIT D816V mutation status',
  'molecular.kitOtherMutations': 'Other KIT mutations (e.g. F522C, K509I)',
  'molecular.fip1l1Pdgfra': 'FIP1L1-PDGFRA fusion status',
  'labs.eosinophilsPerMicroliter': 'Absolute eosinophil count',
  'labs.serumTryptaseNgMl': 'Serum tryptase',
  'cardiac.echocardiogram': 'Echocardiogram result',
  'cardiac.troponin': 'Serum troponin result',
  'medications.strongCyp3a4Inducers': 'Current medications (strong CYP3A4 inducers)',
  'order.dailyDoseMg': 'Daily dose of the order (dose in mg and how often)',
  'order.status': 'Status of the order',
  'order.prednisoneCoTherapy': 'Planned prednisone co-therapy',
};

export function factLabel(path: string): string {
  return lookup(LABELS, path) ?? path;
}
