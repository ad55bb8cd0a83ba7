import { describe, expect, it } from 'vitest';
import type { CompiledRule, Condition } from '../../functions/core/rule-definition.js';
import { factComparisons } from '../../scripts/fhir-tables.js';

/**
 * The comparisons a bounded FHIR result is settled against (scripts/fhir-tables.ts): a count such as
 * neutrophils `< 500`/uL is passed on as 500 only where every comparison the rules make of it decides
 * the same on 500 as on any value below it.
 */

const rule = (name: string, firesWhen: Condition, noSource?: string): CompiledRule =>
  ({
    name,
    priority: 500,
    conditions: {
      all: [
        { name: 'applies when', all: [] },
        { name: 'fires when', all: [firesWhen] },
      ],
    },
    event: {
      type: name,
      params: {
        category: 'monitoring',
        indicator: 'warning',
        summary: 's',
        detail: 'd',
        evidence: [],
        ...(noSource ? { noSource } : {}),
      },
    },
  }) as unknown as CompiledRule;

const neutrophilsBelow = (value: number): Condition =>
  ({ name: `ANC below ${value}`, fact: 'labs', path: '$.neutrophilsPerMicroliter', operator: 'lessThan', value }) as Condition;

const counted = (rules: string[]): Condition =>
  ({
    name: 'counted',
    fact: 'countOfRules',
    operator: 'equal',
    value: 1,
    params: { rules, withOutcome: ['fired'] },
  }) as Condition;

describe('the comparisons a bounded result is settled against', () => {
  it('leaves out a rule about the record, and a comparison made only beside its outcome', () => {
    const units = rule('units', neutrophilsBelow(100), 'about the record');
    const hold = rule('hold', {
      name: 'hold',
      any: [neutrophilsBelow(1000), { name: 'note', all: [counted(['units']), neutrophilsBelow(100)] }],
    } as Condition);

    expect(factComparisons([units, hold])['labs.neutrophilsPerMicroliter']).toEqual([{ operator: 'lessThan', value: 1000 }]);
  });

  it('keeps a comparison made beside the outcome of a rule about the patient', () => {
    const other = rule('other', neutrophilsBelow(1500));
    const hold = rule('hold', { name: 'hold', all: [counted(['other']), neutrophilsBelow(100)] } as Condition);

    expect(factComparisons([other, hold])['labs.neutrophilsPerMicroliter']).toEqual([
      { operator: 'lessThan', value: 1500 },
      { operator: 'lessThan', value: 100 },
    ]);
  });
});
