import { describe, expect, it } from 'vitest';
import { namesAValueSetMember, valueSetMembers } from '../../functions/core/index.js';
import { codedMembers, matchesIn, memberNamed, type ValueSet } from '../../functions/core/value-sets.js';

/** Value sets v3 (knowledge-base spec v3, Value sets): brand names match as synonyms do; members carry RxNorm codes. */

const inducers: ValueSet = {
  title: 'Inducers',
  sources: ['DEMO'],
  members: [
    { name: 'carbamazepine', rxnorm: '2002', brands: ['Tegretol', 'Epitol'] },
    { name: 'rifampin', synonyms: ['rifampicin'], rxnorm: '9384', brands: ['Rifadin'], note: 'strong in both tables' },
    { name: "st john's wort", synonyms: ['hypericum'] },
  ],
};

describe('value-set members', () => {
  it.each([
    ['Tegretol', 'carbamazepine'],
    ['TEGRETOL XR 200 mg tablet', 'carbamazepine'],
    ['Rifadin 300', 'rifampin'],
    ['rifampicin', 'rifampin'],
    ['Hypericum perforatum', "st john's wort"],
  ])('reads %j as %s', (listed, member) => {
    expect(memberNamed(inducers, listed)?.name).toBe(member);
  });

  it('does not read part of a word as a brand', () => {
    expect(memberNamed(inducers, 'Tegretolx')).toBeUndefined();
  });

  it('tells which member each listed name was taken for, with its note', () => {
    expect(matchesIn(inducers, [['Tegretol', 'Rifadin']])).toEqual([
      { listed: 'Tegretol', member: 'carbamazepine' },
      { listed: 'Rifadin', member: 'rifampin', note: 'strong in both tables' },
    ]);
  });

  it('lists every member with its RxNorm code where there is one, and every spelling', () => {
    expect(codedMembers({ inducers })).toEqual([
      { valueSet: 'inducers', name: 'carbamazepine', rxnorm: '2002', spellings: ['carbamazepine', 'Tegretol', 'Epitol'] },
      { valueSet: 'inducers', name: 'rifampin', rxnorm: '9384', spellings: ['rifampin', 'rifampicin', 'Rifadin'] },
      { valueSet: 'inducers', name: "st john's wort", spellings: ["st john's wort", 'hypericum'] },
    ]);
  });
});

describe('what the core gives a FHIR mapping', () => {
  it('lists the members of the built-in value sets, a confirmed RxNorm code on most', () => {
    const coded = valueSetMembers.filter((member) => member.rxnorm !== undefined);

    expect(valueSetMembers.length).toBeGreaterThan(0);
    expect(coded.length).toBeGreaterThan(valueSetMembers.length / 2);
    for (const member of coded) expect(member.rxnorm).toMatch(/^\d+$/);
  });

  it('tells whether an uncoded name names any member, so that the rest can be reported unidentified', () => {
    const someMember = valueSetMembers[0]!;

    expect(namesAValueSetMember(someMember.spellings.at(-1)!)).toBe(true);
    expect(namesAValueSetMember('a name no value set holds')).toBe(false);
  });
});
