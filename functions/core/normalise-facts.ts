import type { PatientFacts } from './types.js';

/**
 * The normalisations of facts.md v2, done once after validation so that rules read one spelling:
 * - `order.drug`: "imatinib", "imatinib mesylate", "gleevec" and "glivec", in any case, are `imatinib`;
 * - `molecular.kitOtherMutations`: protein notation in one- or three-letter form, with or without
 *   `p.`, is written in the one-letter form (`p.Phe522Cys` -> `F522C`); an entry that cannot be
 *   read (cDNA, free text) is kept as written, and rules asking about variants then stay unknown;
 * - `molecular.kitD816V` is `detected` when D816V is among the other KIT variants: a reported
 *   variant is never hidden by a negative summary (knowledge-base spec, Clarifications).
 * The caller's object is never changed.
 */

/** The names the contract accepts for imatinib, lower-case (facts.md v2, `order.drug`). */
export const IMATINIB_NAMES: readonly string[] = ['imatinib', 'imatinib mesylate', 'gleevec', 'glivec'];

const ONE_LETTER: Readonly<Record<string, string>> = {
  ala: 'A', arg: 'R', asn: 'N', asp: 'D', cys: 'C', gln: 'Q', glu: 'E', gly: 'G', his: 'H', ile: 'I',
  leu: 'L', lys: 'K', met: 'M', phe: 'F', pro: 'P', ser: 'S', thr: 'T', trp: 'W', tyr: 'Y', val: 'V', ter: '*',
}; // prettier-ignore

const THREE_LETTER_CODE = new RegExp(Object.keys(ONE_LETTER).join('|'), 'gi');
const AMINO_ACID = '[ACDEFGHIKLMNPQRSTVWY]';

/** One readable form of a protein change, and how to write it canonically from its groups. */
interface VariantForm {
  pattern: RegExp;
  write(groups: readonly (string | undefined)[]): string;
}

const upper = (s: string | undefined) => (s ?? '').toUpperCase();

const FORMS: readonly VariantForm[] = [
  // substitution: D816V, Y578*
  { pattern: new RegExp(`^(${AMINO_ACID})(\\d+)(${AMINO_ACID}|\\*)$`, 'i'), write: (g) => `${upper(g[1])}${g[2]}${upper(g[3])}` },
  // deletion, duplication or insertion at one position or over a range: D816_I817insV, V560del
  {
    pattern: new RegExp(`^(${AMINO_ACID})(\\d+)(?:_(${AMINO_ACID})(\\d+))?(?:(del|dup)|(delins|ins)(${AMINO_ACID}+))$`, 'i'),
    write: (g) =>
      `${upper(g[1])}${g[2]}${g[3] ? `_${upper(g[3])}${g[4]}` : ''}${g[5] ? g[5].toLowerCase() : `${(g[6] ?? '').toLowerCase()}${upper(g[7])}`}`,
  },
  // frameshift: L576Pfs*5
  {
    pattern: new RegExp(`^(${AMINO_ACID})(\\d+)(${AMINO_ACID})?fs(?:\\*(\\d+))?$`, 'i'),
    write: (g) => `${upper(g[1])}${g[2]}${upper(g[3])}fs${g[4] ? `*${g[4]}` : ''}`,
  },
  // the contract's own short form of a deletion: del419
  { pattern: /^del(\d+)$/i, write: (g) => `del${g[1]}` },
];

/** A KIT variant read from protein notation: its one-letter form and the codon it starts at. */
export interface KitVariant {
  canonical: string;
  codon: number;
}

/**
 * Reads a protein change (`p.Asp816Val`, `D816V`, `p.(F522C)`, `D816_I817insV`, `del419`); an
 * indel counts at its first codon. Undefined for anything else (`c.2447A>T`, "exon 11 deletion").
 */
export function readKitVariant(entry: string): KitVariant | undefined {
  let text = entry.trim().replace(/^p\./i, '');
  text = /^\((.*)\)$/.exec(text)?.[1] ?? text;
  text = text.replace(THREE_LETTER_CODE, (code) => ONE_LETTER[code.toLowerCase()] ?? code);
  for (const form of FORMS) {
    const match = form.pattern.exec(text);
    if (match) {
      const canonical = form.write(match);
      return { canonical, codon: Number(/\d+/.exec(canonical)![0]) };
    }
  }
  return undefined;
}

/** The facts as the rules read them (see above). Returns `facts` itself when nothing changes. */
export function normaliseFacts(facts: PatientFacts): PatientFacts {
  const drug = facts.order?.drug;
  const variants = facts.molecular?.kitOtherMutations;
  let normalised = facts;
  if (drug !== undefined && drug !== 'imatinib' && IMATINIB_NAMES.includes(drug.toLowerCase())) {
    normalised = { ...normalised, order: { ...normalised.order!, drug: 'imatinib' } };
  }
  if (variants !== undefined) {
    const canonical = variants.map((entry) => readKitVariant(entry)?.canonical ?? entry);
    const d816v = canonical.includes('D816V') && facts.molecular?.kitD816V !== 'detected';
    if (d816v || canonical.some((entry, i) => entry !== variants[i])) {
      normalised = {
        ...normalised,
        molecular: { ...normalised.molecular, kitOtherMutations: canonical, ...(d816v ? { kitD816V: 'detected' as const } : {}) },
      };
    }
  }
  return normalised;
}
