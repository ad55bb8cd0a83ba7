import type { Indicator, RuleOutcome } from '../../functions/core/index.js';
import type { RuleCase } from './review-data.js';

/**
 * The words (and symbols) the page uses for values, truth, indicators and outcomes, in one place.
 * Every mark pairs a word with a symbol, and colour only repeats them: none is told by colour alone.
 */

export interface Mark {
  /** For CSS classes. */
  key: string;
  /** Shown beside the word; hidden from screen readers, which read the word. */
  symbol: string;
  word: string;
}

/** Text presentation: an EHR's fonts, not an emoji set, draw these symbols. */
const TEXT = '\uFE0E';

/** A condition's result: true, false, or unknown (null: a fact it needs was not known). */
export function truthMark(result: boolean | null): Mark {
  if (result === true) return { key: 'true', symbol: '✓', word: 'true' };
  if (result === false) return { key: 'false', symbol: '✗', word: 'false' };
  return { key: 'unknown', symbol: '?', word: 'unknown' };
}

const INDICATORS: Readonly<Record<Indicator, Mark>> = {
  critical: { key: 'critical', symbol: `‼${TEXT}`, word: 'Critical' },
  warning: { key: 'warning', symbol: `⚠${TEXT}`, word: 'Warning' },
  info: { key: 'info', symbol: `ℹ${TEXT}`, word: 'Info' },
};

export function indicatorMark(indicator: Indicator): Mark {
  return INDICATORS[indicator];
}

const OUTCOMES: Readonly<Record<RuleOutcome, Mark>> = {
  fired: { key: 'fired', symbol: '●', word: 'fired' },
  'not-fired': { key: 'not-fired', symbol: '○', word: 'did not fire' },
  'not-applicable': { key: 'not-applicable', symbol: '–', word: 'does not apply' },
  undecided: { key: 'undecided', symbol: '?', word: 'undecided: a fact it needs is not known' },
};

export function outcomeMark(outcome: RuleOutcome): Mark {
  return OUTCOMES[outcome];
}

/** How a rule's outcome reads in the words of a case file (`silent`: neither fired nor undecided). */
export function expectationOf(outcome: RuleOutcome): RuleCase['expect'] {
  return outcome === 'fired' ? 'fires' : outcome === 'undecided' ? 'undecided' : 'silent';
}

/** `therapy-selection` -> `Therapy selection`. */
export function titleOf(key: string): string {
  const words = key.replace(/-/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A fact value as the page shows it: "not known" for a value not given, "none" for an empty list. */
export function valueText(value: unknown): string {
  if (value === undefined || value === null) return 'not known';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.map(valueText).join(', ');
  return 'recorded';
}
