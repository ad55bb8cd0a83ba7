import type { Observation, ObservationComponent } from 'fhir/r4';
import { readKitVariant, type PatientFacts } from '../../core/index.js';
import { HGNC, HGNC_SYSTEMS, LOINC_ANSWER, SYSTEM, VARIANT_LOINC } from './codes.js';
import { effectiveTime } from './observations.js';
import { codings, hasCode, mentions, namesOf } from './resources.js';

/**
 * The HL7 Genomics Reporting IG variant observations (LOINC 69548-6): KIT D816V, the other KIT
 * variants, FIP1L1-PDGFRA. Protein changes are passed on as reported (after any reference
 * sequence): the core reads them as protein notation, and leaves what it cannot read unknown.
 */

const FINAL_STATUSES: readonly string[] = ['final', 'amended', 'corrected'];

function componentsWith(observation: Observation, loincCode: string): ObservationComponent[] {
  return (observation.component ?? []).filter((c) => hasCode(c.code, SYSTEM.loinc, [loincCode]));
}

function genesStudied(observation: Observation): string[] {
  return componentsWith(observation, VARIANT_LOINC.geneStudied).flatMap((c) => {
    const concept = c.valueCodeableConcept;
    const ids = codings(concept)
      .filter((cd) => cd.system && HGNC_SYSTEMS.includes(cd.system))
      .map((cd) => cd.code ?? '');
    return [...ids, ...namesOf(concept).map((n) => n.toUpperCase())];
  });
}

/** The amino-acid change as reported, without its reference sequence ("NP_000213.1:p.(Asp816Val)" -> "p.(Asp816Val)"). */
function aminoAcidChange(observation: Observation): string | undefined {
  const component = componentsWith(observation, VARIANT_LOINC.aminoAcidChange)[0];
  const text =
    component?.valueCodeableConcept?.coding?.[0]?.code ?? component?.valueCodeableConcept?.text ?? component?.valueString;
  return text?.replace(/^[^:]*:/, '').trim() || undefined;
}

function presence(observation: Observation): boolean | undefined {
  if (hasCode(observation.valueCodeableConcept, SYSTEM.loinc, [LOINC_ANSWER.present])) return true;
  if (hasCode(observation.valueCodeableConcept, SYSTEM.loinc, [LOINC_ANSWER.absent])) return false;
  return undefined;
}

const detection = (present: boolean) => (present ? 'detected' : 'not-detected');

/** The molecular facts of the variant observations, the latest result of each kind winning. */
export function molecularFacts(observations: readonly Observation[]): NonNullable<PatientFacts['molecular']> {
  const variants = observations
    .filter((o) => FINAL_STATUSES.includes(o.status) && hasCode(o.code, SYSTEM.loinc, [VARIANT_LOINC.geneticVariantAssessment]))
    .sort((a, b) => (effectiveTime(a) ?? 0) - (effectiveTime(b) ?? 0));
  const molecular: NonNullable<PatientFacts['molecular']> = {};
  const otherKit = new Set<string>();
  for (const variant of variants) {
    const present = presence(variant);
    if (present === undefined) continue;
    const genes = genesStudied(variant);
    const isKit = genes.includes(HGNC.KIT) || genes.includes('KIT');
    const isPdgfra = genes.includes(HGNC.PDGFRA) || genes.includes('PDGFRA');
    const namesFip1l1 =
      genes.some((g) => g.includes('FIP1L1')) ||
      componentsWith(variant, VARIANT_LOINC.variationCode).some((c) => mentions(c.valueCodeableConcept, 'fip1l1'));
    if (isPdgfra && namesFip1l1) {
      molecular.fip1l1Pdgfra = detection(present);
    } else if (isKit) {
      const change = aminoAcidChange(variant);
      if (change !== undefined && readKitVariant(change)?.canonical === 'D816V') molecular.kitD816V = detection(present);
      else if (change !== undefined && present) otherKit.add(change);
    }
  }
  if (otherKit.size > 0) molecular.kitOtherMutations = [...otherKit].sort();
  return molecular;
}
