import type { PatientFacts } from '../../functions/core/types.js';

/**
 * A fully described patient on an active imatinib order for whom no order check or response rule
 * has anything to say. Tests change one thing at a time with `withFacts`.
 */
export const quietPatient: PatientFacts = Object.freeze({
  patient: { ageYears: 50, sex: 'female', pregnant: false, creatinineClearanceMlMin: 90, hepaticImpairment: 'none' },
  diagnosis: { smSubtype: 'ASM' },
  molecular: { kitD816V: 'not-detected', kitOtherMutations: [], fip1l1Pdgfra: 'not-detected' },
  labs: { serumTryptaseNgMl: 80, eosinophilsPerMicroliter: 300 },
  cardiac: { echocardiogram: 'normal', troponin: 'normal' },
  medications: { strongCyp3a4Inducers: [] },
  order: { drug: 'imatinib', dailyDoseMg: 400, status: 'active', prednisoneCoTherapy: true },
}) as PatientFacts;

function merge(base: unknown, patch: unknown): unknown {
  if (patch === undefined) return undefined;
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = base && typeof base === 'object' && !Array.isArray(base) ? { ...(base as object) } : {};
  for (const [key, value] of Object.entries(patch)) {
    const merged = merge(out[key], value);
    if (merged === undefined) delete out[key];
    else out[key] = merged;
  }
  return out;
}

/** A fresh copy of `base` with `patch` deep-merged in; `undefined` in the patch deletes a key. */
export function withFacts(patch: object, base: PatientFacts = quietPatient): PatientFacts {
  return merge(structuredClone(base), patch) as PatientFacts;
}
