import { quoteEntry } from './finding-text.js';
import type { Detection, PatientFacts } from './types.js';

/**
 * The normalisations of facts.md v2 and knowledge-base spec v3 (KIT notation), done once after
 * validation so that rules read one spelling:
 * - `order.drug`: "imatinib", "imatinib mesylate", "gleevec" and "glivec", in any case, are `imatinib`;
 * - `molecular.kitOtherMutations`: protein notation in one- or three-letter form, with or without
 *   a gene prefix (`KIT`, `KIT:`), `p.` or parentheses, is written in the one-letter form
 *   (`KIT p.Phe522Cys` -> `F522C`), and the cDNA form of D816V (`c.2447A>T`) is `D816V`; an entry
 *   that cannot be read (other cDNA, free text) is kept as written, and rules asking about
 *   variants then stay unknown;
 * - `molecular.kitD816V` is `detected` when D816V is among the other KIT variants: a reported
 *   variant is never hidden by a negative summary (knowledge-base spec, Clarifications);
 * - `molecular.kitD816V` `not-detected` is not trusted (read as `unknown`) beside an entry that
 *   cannot be read, which may be D816V: the D816V rules are then undecided, and the answer quotes
 *   the entry beside the missing fact (unreadableEntriesBehind).
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

/** A gene prefix (`KIT `, `KIT:`, `c-KIT `), which says nothing more about the change. */
const GENE_PREFIX = /^(?:c-)?KIT(?:\s*:\s*|\s+)/i;

/** The RefSeq transcript the cDNA numbering below is on, when it is written out. */
const KIT_TRANSCRIPT = /^NM_000222(?:\.\d+)?\s*:\s*/i;

/**
 * cDNA forms read as the protein change they encode: c.2447A>T is D816V (NM_000222.2:c.2447A>T =
 * NP_000213.1:p.Asp816Val, CIViC variant 65: source CIVIC-KIT-D816V of rules/knowledge-base.json).
 * Any other cDNA stays unreadable.
 */
const CDNA_CHANGES: Readonly<Record<string, string>> = { 'c.2447A>T': 'D816V' };

/** `text` with `p.` and one pair of enclosing parentheses taken off, in either order (`p.(F522C)`, `(p.F522C)`). */
function withoutProteinMarks(text: string): string {
  let bare = text;
  for (let i = 0; i < 2; i++) bare = (/^\((.*)\)$/.exec(bare)?.[1] ?? bare).replace(/^p\./i, '');
  return bare;
}

/**
 * Reads a protein change (`p.Asp816Val`, `D816V`, `p.(F522C)`, `KIT p.D816V`, `D816_I817insV`,
 * `del419`) or the cDNA form of D816V (`c.2447A>T`); an indel counts at its first codon.
 * Undefined for anything else (other cDNA, "exon 11 deletion").
 */
export function readKitVariant(entry: string): KitVariant | undefined {
  const unprefixed = entry.trim().replace(GENE_PREFIX, '').replace(KIT_TRANSCRIPT, '');
  const cdna = /^c\.(\d+)([ACGT])>([ACGT])$/i.exec(unprefixed);
  if (cdna) {
    const protein = CDNA_CHANGES[`c.${cdna[1]}${upper(cdna[2])}>${upper(cdna[3])}`];
    return protein === undefined ? undefined : readKitVariant(protein);
  }
  let text = withoutProteinMarks(unprefixed);
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

/** The KIT variant entries of `facts` that cannot be read, as written. */
function unreadableKitEntries(facts: PatientFacts): string[] {
  return (facts.molecular?.kitOtherMutations ?? []).filter((entry) => readKitVariant(entry) === undefined);
}

/** What `molecular.kitD816V` is read as, given the other KIT variants as `canonical` reads them. */
function kitD816VRead(facts: PatientFacts, canonical: readonly string[]): Detection | undefined {
  const stated = facts.molecular?.kitD816V;
  if (canonical.includes('D816V')) return 'detected';
  if (stated === 'not-detected' && unreadableKitEntries(facts).length > 0) return 'unknown';
  return stated;
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
    const d816v = kitD816VRead(facts, canonical);
    if (d816v !== facts.molecular?.kitD816V || canonical.some((entry, i) => entry !== variants[i])) {
      normalised = {
        ...normalised,
        molecular: { ...normalised.molecular, kitOtherMutations: canonical, ...(d816v === undefined ? {} : { kitD816V: d816v }) },
      };
    }
  }
  return normalised;
}

/**
 * For each fact that the record leaves unknown while it holds entries that could not be read and
 * may hold it, those entries, quoted (quoteEntry): KIT variants in a notation that cannot be read,
 * beside `molecular.kitD816V` when it is not known (knowledge-base spec v3, KIT notation).
 */
export function unreadableEntriesBehind(facts: PatientFacts): Record<string, string[]> {
  const unreadable = unreadableKitEntries(facts).map(quoteEntry);
  const d816v = normaliseFacts(facts).molecular?.kitD816V;
  return unreadable.length > 0 && (d816v === undefined || d816v === 'unknown') ? { 'molecular.kitD816V': unreadable } : {};
}
