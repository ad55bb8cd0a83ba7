/**
 * Fact values in a finding's words: a rule's summary, detail and notes may say `{{name}}`, where
 * `name` is one of the rule's `values`, a fact or derived fact the rule reads ("tryptase
 * {{baseline}} -> {{current}} ng/mL, {{change}}": knowledge-base spec v3, Changed rules). The
 * build checks that each value is one the rule reads, that it is known whenever its text is
 * shown, and that a summary stays under 140 characters at the widest value each format can write;
 * here the values are written. No Node built-in here: the console runs it in the browser too.
 */

/** How a value is written: a number, a signed percent change, or a list of record entries. */
export type ValueFormat = 'number' | 'signedPercent' | 'entries';

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

/** Below this a number is written with one decimal at most; from it, in exponent form. */
const PLAIN_LIMIT = 1e6;

/** The widest text each bounded format writes (`+1.80e+308%`): what the summary's length is checked at. */
export const WIDEST_WRITTEN: Readonly<Record<Exclude<ValueFormat, 'entries'>, number>> = Object.freeze({
  number: 10,
  signedPercent: 11,
});

/** 12.5, 210000, 1.8, 3.46e+7: one decimal at most below a million, three figures above. */
export function writeNumber(value: number): string {
  if (Math.abs(value) >= PLAIN_LIMIT) return value.toExponential(2);
  return String(Math.round(value * 10) / 10);
}

/** +150%, -82.4%, -20.1%, 0%: one decimal at most (so a fall of 20.1% never reads as 20%), with its sign. */
function writeSignedPercent(value: number): string {
  const rounded = Math.abs(value) >= PLAIN_LIMIT ? value.toExponential(2) : String(Math.round(value * 10) / 10);
  return `${value > 0 && rounded !== '0' ? '+' : ''}${rounded === '-0' ? '0' : rounded}%`;
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

/** A value as text, or undefined when it is not known (or not of the format's kind). */
export function writeValue(value: unknown, format: ValueFormat): string | undefined {
  if (format === 'entries') {
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) return undefined;
    return markdownEntries(value);
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  return format === 'number' ? writeNumber(value) : writeSignedPercent(value);
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
