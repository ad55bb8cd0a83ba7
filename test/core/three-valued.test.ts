import { describe, expect, it } from 'vitest';
import { outcomeOf, truthOf, undecidingLeaves, type ConditionResult } from '../../functions/core/three-valued.js';

const T: ConditionResult = { fact: 'a', operator: 'equal', factResult: 'x', result: true };
const F: ConditionResult = { fact: 'b', operator: 'equal', factResult: 'y', result: false };
const U: ConditionResult = { fact: 'c', operator: 'equal', factResult: undefined, result: false };
const UNKNOWN_VALUE: ConditionResult = { fact: 'd', operator: 'notEqual', factResult: 'unknown', result: true };
const KNOWN_FALSE: ConditionResult = { fact: 'e', operator: 'known', factResult: undefined, result: true };

describe('three-valued reading of condition results', () => {
  it('treats an absent or "unknown" fact as unknown, whatever the engine answered', () => {
    expect(truthOf(U)).toBeNull();
    expect(truthOf(UNKNOWN_VALUE)).toBeNull();
  });

  it('takes the `known` operator at its word: asking about unknown is decided', () => {
    expect(truthOf(KNOWN_FALSE)).toBe(true);
  });

  it.each([
    ['all(true, unknown)', { all: [T, U] }, null],
    ['all(false, unknown)', { all: [F, U] }, false],
    ['all(true, true)', { all: [T, T] }, true],
    ['any(true, unknown)', { any: [U, T] }, true],
    ['any(false, unknown)', { any: [F, U] }, null],
    ['any(false, false)', { any: [F, F] }, false],
    ['all() of nothing', { all: [] }, true],
  ])('%s is %s', (_name, node, expected) => {
    expect(truthOf(node as ConditionResult)).toBe(expected);
  });

  it('returns only the unknown leaves that keep the answer open', () => {
    const tree: ConditionResult = { any: [{ all: [U, F] }, { all: [T, UNKNOWN_VALUE] }] };

    expect(undecidingLeaves(tree)).toEqual([UNKNOWN_VALUE]);
  });

  it.each([
    ['applies and fires', [T], [T], 'fired'],
    ['applies, does not fire', [T], [F], 'not-fired'],
    ['does not apply', [F], [T], 'not-applicable'],
    ['applies, unknown whether it fires', [T], [U], 'undecided'],
    ['unknown whether it applies', [U], [T], 'undecided'],
  ])('classifies a rule that %s as %s', (_name, applies, fires, expected) => {
    const conditions: ConditionResult = {
      all: [
        { name: 'applies when', all: applies },
        { name: 'fires when', all: fires },
      ],
    };

    expect(outcomeOf(conditions)).toBe(expected);
  });
});
