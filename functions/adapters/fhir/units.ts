import type { Quantity } from 'fhir/r4';
import { UNIT_KINDS, UNIT_TEXTS } from './codes.js';
import factors from './generated/unit-factors.json' with { type: 'json' };
import { lookup } from './lookup.js';

/**
 * Units as labs send them (facts.md, From FHIR v3): the UCUM code a quantity's unit stands for, and
 * the factor between two codes of one kind, as the UCUM library computed it at `npm run generate`
 * (generated/unit-factors.json). What cannot be read is undefined, never a guess.
 */

/** Lower case, micro signs as `u`, no spaces: how a unit text is compared with the tables. */
const normalised = (text: string) =>
  text
    .replace(/[\u00b5\u03bc]/g, 'u')
    .replace(/\s+/g, '')
    .toLowerCase();

/** Every UCUM code of UNIT_KINDS by its normalised form (UCUM's case-insensitive forms name the same units). */
const CODES_BY_FORM: ReadonlyMap<string, string> = new Map(
  Object.values(UNIT_KINDS)
    .flat()
    .map((code) => [normalised(code), code]),
);

function ucumOfText(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const form = normalised(text);
  return CODES_BY_FORM.get(form) ?? lookup(UNIT_TEXTS, form);
}

/** The UCUM code of a quantity's unit: its code, else its unit text, read through the tables; undefined when unknown. */
export function ucumOf(quantity: Pick<Quantity, 'code' | 'unit'> | undefined): string | undefined {
  return ucumOfText(quantity?.code) ?? ucumOfText(quantity?.unit);
}

const FACTORS = factors as Readonly<Record<string, Readonly<Record<string, number>>>>;

/** The factor that takes a value in `from` to `to` (1 for the same code); undefined between kinds. */
export function unitFactor(from: string, to: string): number | undefined {
  if (from === to) return 1;
  const row = lookup(FACTORS, from);
  return row === undefined ? undefined : lookup(row, to);
}
