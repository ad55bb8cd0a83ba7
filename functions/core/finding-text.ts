/**
 * Fact values in a finding's words: a rule's summary, detail and notes may say `{{name}}`, where
 * `name` is one of the rule's `values`, a fact or derived fact the rule reads ("tryptase
 * {{baseline}} -> {{current}} ng/mL, {{change}}": knowledge-base spec v3, Changed rules). The
 * build checks that each value is one the rule reads, that it is known whenever its text is
 * shown, and that a summary stays under 140 characters at the widest value each format can write;
 * here the values are written. No Node built-in here: the console runs it in the browser too.
 */

import { words } from './value-sets.js';

/**
 * How a value is written: a number, a signed percent change, a coded value of the facts (an SM
 * subtype), a list of record entries, or the value-set matches of a derived `valueSetMatches` (the
 * entries with the member each was taken for; or those members' notes, where sources class them
 * differently).
 */
export type ValueFormat = 'number' | 'signedPercent' | 'code' | 'entries' | 'matches' | 'matchNotes';

/** A value a rule's text shows, named in its `values`: a fact as a condition names one. */
export interface TextValue {
  /** A section of PatientFacts (with `path`) or a derived fact (with `params`). */
  fact: string;
  path?: string;
  params?: Record<string, unknown>;
  format: ValueFormat;
}

/** `{{name}}`: a value of the rule's `values`, by name. */
const PLACEHOLDER = /\{\{([A-Za-z][A-Za-z0-9]*)\}\}/g;

/** The names of the values a text shows, in order. */
export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((match) => match[1]!);
}

/** Below this a number is written with decimals; from it, in exponent form. */
const PLAIN_LIMIT = 1e6;

/** Decimals (or, in exponent form, figures after the point) written at most when a threshold asks for more than one (or two). */
const MOST_DIGITS = 6;

/**
 * The widest text each bounded format writes (`-999999.999999`, `+9.999999e+307%`): what the
 * summary's length is checked at. A `code` is as wide as the longest value its fact's schema allows.
 */
export const WIDEST_WRITTEN: Readonly<Record<'number' | 'signedPercent', number>> = Object.freeze({
  number: 14,
  signedPercent: 15,
});

const sideOf = (value: number, threshold: number) => Math.sign(value - threshold) || 0;

/** `value` with `decimals` decimals at most (12.5, 210000), or in exponent form with `figures` after the point (3.46e+7, 1.000001e+6). */
function written(value: number, digits: number, exponentForm: boolean): string {
  if (exponentForm) {
    const [mantissa, exponent] = value.toExponential(digits).split('e') as [string, string];
    const [whole, fraction = ''] = mantissa.split('.');
    return `${whole}.${fraction.replace(/0+$/, '').padEnd(2, '0')}e${exponent}`;
  }
  return digits === 1 ? String(Math.round(value * 10) / 10) : String(Number(value.toFixed(digits)));
}

/**
 * A number written as shortly as it reads true: one decimal at most below a million (12.5,
 * 210000), three figures in exponent form from it (3.46e+7), and more digits, up to six, where
 * that rounding would put it on the other side of (or onto) one of `thresholds`, the values its
 * rule compares it with: 49.999 beside a threshold of 50 is written 49.999, never 50, so a text
 * never contradicts the comparison that made it show (a value closer still is written one last
 * digit off the threshold, on its own side: 49.9999999 as 49.999999).
 */
export function writeNumber(value: number, thresholds: readonly number[] = []): string {
  const exponentForm = Math.abs(value) >= PLAIN_LIMIT;
  const first = exponentForm ? 2 : 1;
  const keepsSides = (text: string) => thresholds.every((t) => sideOf(Number(text), t) === sideOf(value, t));
  for (let digits = first; digits <= MOST_DIGITS; digits++) {
    const text = written(value, digits, exponentForm);
    if (keepsSides(text)) return text;
  }
  const unit = exponentForm ? 10 ** (Math.floor(Math.log10(Math.abs(value))) - MOST_DIGITS) : 10 ** -MOST_DIGITS;
  let nudged = Number(written(value, MOST_DIGITS, exponentForm));
  for (const t of thresholds.filter((t) => sideOf(nudged, t) !== sideOf(value, t))) {
    const side = sideOf(value, t);
    nudged = side < 0 ? Math.min(nudged, t - unit) : side > 0 ? Math.max(nudged, t + unit) : t;
  }
  return written(nudged, MOST_DIGITS, exponentForm);
}

/** +150%, -82.4%, -20.1%, 0%: as writeNumber writes the number (so a fall of 20.04% never reads as 20%), with its sign. */
function writeSignedPercent(value: number, thresholds: readonly number[]): string {
  const written = writeNumber(value, thresholds);
  return `${value > 0 && Number(written) !== 0 ? '+' : ''}${written}%`;
}

/** Characters an entry keeps when quoted: none of them can start Markdown or HTML markup. */
const UNSAFE = /[^A-Za-z0-9 .:>+/=-]+/g;

/**
 * An entry of the record (a medication name, a KIT notation) as the answer may quote it: letters,
 * digits, spaces and `. : > + / = -` only, starting with a letter or digit, so no markup a record
 * may hold comes through (`c.2447A>G` stays legible; `<img>` and `[link](...)` do not). In
 * Markdown it goes in a code span as well (markdownEntries), so not even a bare web address
 * becomes a link.
 */
export function quoteEntry(entry: string): string {
  return entry
    .replace(UNSAFE, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[^A-Za-z0-9]+/, '');
}

/** Entries quoted for Markdown: each quoted (quoteEntry) in a code span, one after the other. */
export function markdownEntries(entries: readonly string[]): string {
  return entries
    .map(quoteEntry)
    .filter((entry) => entry !== '')
    .map((entry) => `\`${entry}\``)
    .join(', ');
}

/** An entry of the record that named a value-set member, and the member it was taken for (value-sets.ts). */
export interface MatchedEntry {
  listed: string;
  member: string;
  /** The member's note: how its sources class it, where they differ. */
  note?: string;
}

const isMatchList = (value: unknown): value is MatchedEntry[] =>
  Array.isArray(value) &&
  value.every(
    (m) =>
      typeof m === 'object' &&
      m !== null &&
      typeof (m as MatchedEntry).listed === 'string' &&
      typeof (m as MatchedEntry).member === 'string',
  );

const sameWords = (a: string, b: string) => words(a).join(' ') === words(b).join(' ');

/**
 * "`Tegretol` (carbamazepine), `rifampin`": each entry as recorded, quoted (quoteEntry, in a code
 * span), with the member it was taken for where it names it otherwise (a brand, a salt, a dose).
 */
function writeMatches(matches: readonly MatchedEntry[]): string | undefined {
  const shown = matches
    .map(({ listed, member }) => ({ entry: quoteEntry(listed), member }))
    .filter(({ entry }) => entry !== '')
    .map(({ entry, member }) => (sameWords(entry, member) ? `\`${entry}\`` : `\`${entry}\` (${member})`));
  return shown.length > 0 ? [...new Set(shown)].join(', ') : undefined;
}

/**
 * "- rifapentine: strong in ...", one line of a Markdown list for each member matched that has a
 * note, in the words of the knowledge base; undefined when none of them has one (the text is then left
 * out, so a finding never shows how sources class a drug the patient is not taking).
 */
function writeMatchNotes(matches: readonly MatchedEntry[]): string | undefined {
  const notes = new Map(matches.filter((m) => m.note).map((m) => [m.member, m.note!]));
  return notes.size > 0 ? [...notes].map(([member, note]) => `- ${member}: ${note}`).join('\n') : undefined;
}

/**
 * A value as text, or undefined when it is not known (or not of the format's kind). A number is
 * written beside `thresholds`, the values its rule compares it with (writeNumber).
 */
export function writeValue(value: unknown, format: ValueFormat, thresholds: readonly number[] = []): string | undefined {
  switch (format) {
    case 'entries':
      return Array.isArray(value) && value.every((v) => typeof v === 'string') ? markdownEntries(value) : undefined;
    case 'matches':
      return isMatchList(value) ? writeMatches(value) : undefined;
    case 'matchNotes':
      return isMatchList(value) ? writeMatchNotes(value) : undefined;
    case 'code':
      return typeof value === 'string' && quoteEntry(value) !== '' ? quoteEntry(value) : undefined;
    default:
      if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
      return format === 'number' ? writeNumber(value, thresholds) : writeSignedPercent(value, thresholds);
  }
}

/**
 * `text` with each placeholder replaced by its written value. When one of them is not known:
 * undefined, so the caller leaves out a text it cannot complete, or, given `unknownAs`, that in
 * its place (the build makes sure a summary and a detail can always be completed when their rule
 * fires, so that is a last resort that never shows a raw placeholder).
 */
export function fillPlaceholders(
  text: string,
  written: Readonly<Record<string, string | undefined>>,
  unknownAs?: string,
): string | undefined {
  let complete = true;
  const filled = text.replace(PLACEHOLDER, (_match, name: string) => {
    const value = Object.hasOwn(written, name) ? written[name] : undefined;
    if (value === undefined) complete = false;
    return value ?? unknownAs ?? '';
  });
  return complete || unknownAs !== undefined ? filled : undefined;
}
