import type { Observation, ObservationComponent } from 'fhir/r4';
import { readKitVariant, type PatientFacts } from '../../core/index.js';
import { HGNC, HGNC_SYSTEMS, LOINC_ANSWER, SYSTEM, VARIANT_LOINC } from './codes.js';
import bounds from './generated/list-bounds.json' with { type: 'json' };
import type { ObservationIndex } from './observations.js';
import { codings, hasCode, mentions, namesOf, systemOf } from './resources.js';

/**
 * The HL7 Genomics Reporting IG variant observations (LOINC 69548-6): KIT D816V, the other KIT
 * variants, FIP1L1-PDGFRA. Protein changes are passed on as reported (after any reference
 * sequence): the core reads them as protein notation, and leaves what it cannot read unknown.
 */

const VARIANT_GROUP = { loinc: [VARIANT_LOINC.geneticVariantAssessment] };
const KIT_BOUND = (bounds as Readonly<Record<string, { maxItems: number; maxLength: number }>>)['molecular.kitOtherMutations']!;

function componentsWith(observation: Observation, loincCode: string): ObservationComponent[] {
  return (observation.component ?? []).filter((c) => hasCode(c.code, SYSTEM.loinc, [loincCode]));
}

function genesStudied(observation: Observation): string[] {
  return componentsWith(observation, VARIANT_LOINC.geneStudied).flatMap((c) => {
    const concept = c.valueCodeableConcept;
    const ids = codings(concept)
      .filter((cd) => cd.system !== undefined && HGNC_SYSTEMS.includes(systemOf(cd.system)!))
      .map((cd) => cd.code ?? '');
    return [...ids, ...namesOf(concept).map((n) => n.toUpperCase())];
  });
}

/**
 * The amino-acid change as reported, without its reference sequence ("NP_000213.1:p.(Asp816Val)" ->
 * "p.(Asp816Val)"): the first of the component's codings, text or string that reads as a KIT
 * variant, else the first of them as it is.
 */
function aminoAcidChange(observation: Observation): string | undefined {
  const component = componentsWith(observation, VARIANT_LOINC.aminoAcidChange)[0];
  const concept = component?.valueCodeableConcept;
  const forms = [...codings(concept).map((c) => c.code), concept?.text, component?.valueString]
    .filter((text): text is string => text !== undefined)
    .map((text) => text.replace(/^[^:]*:/, '').trim())
    .filter((text) => text !== '');
  return forms.find((text) => readKitVariant(text) !== undefined) ?? forms[0];
}

function presence(observation: Observation): boolean | undefined {
  if (hasCode(observation.valueCodeableConcept, SYSTEM.loinc, [LOINC_ANSWER.present])) return true;
  if (hasCode(observation.valueCodeableConcept, SYSTEM.loinc, [LOINC_ANSWER.absent])) return false;
  return undefined;
}

const detection = (present: boolean) => (present ? 'detected' : 'not-detected');

/**
 * The molecular facts of the variant observations, the latest result of each kind winning. Other
 * KIT variants accumulate, one entry per variant. When they cannot all be passed on (more than the
 * contract's 50, one over 64 characters, or the variant results were cut by paging), the list is
 * left unknown, and so is a D816V "not detected": an entry left out may be D816V written in a way
 * the core cannot read, so it must not be trusted (knowledge-base spec v3, KIT notation).
 */
export function molecularFacts(index: ObservationIndex, complete = true): NonNullable<PatientFacts['molecular']> {
  const variants = [...index.results(VARIANT_GROUP)].reverse();
  const molecular: NonNullable<PatientFacts['molecular']> = {};
  const otherKit = new Map<string, string>();
  for (const { observation: variant } of variants) {
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
      const read = change === undefined ? undefined : readKitVariant(change);
      if (read?.canonical === 'D816V') molecular.kitD816V = detection(present);
      else if (change !== undefined && present) otherKit.set(read?.canonical ?? change, change);
    }
  }
  const entries = [...otherKit.values()];
  const passable = complete && entries.length <= KIT_BOUND.maxItems && entries.every((e) => e.length <= KIT_BOUND.maxLength);
  if (!passable && molecular.kitD816V === 'not-detected') delete molecular.kitD816V;
  if (passable && entries.length > 0) molecular.kitOtherMutations = entries.sort();
  return molecular;
}
