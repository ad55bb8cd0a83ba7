/**
 * Drug value sets (`valueSets` in rules/knowledge-base.json): named lists of generic ingredient
 * names with synonyms, brand names and RxNorm ingredient codes (knowledge-base spec v3, Value
 * sets), which rules refer to by name. A listed medication matches a member when the
 * member's name, or one of its synonyms, appears in it as whole words: case, spacing and
 * punctuation do not matter ("St. John's Wort" = "st johns wort"), nor do salt and form words
 * ("warfarin sodium", "tacrolimus oral capsule"), and a combination counts as each of its
 * ingredients ("lopinavir/ritonavir", "lopinavir-ritonavir"): knowledge-base spec, Clarifications.
 */

export interface ValueSetMember {
  /** Lower-case generic ingredient name. */
  name: string;
  synonyms?: string[];
  /** RxNorm ingredient code (RXCUI), where confirmed. */
  rxnorm?: string;
  /** US brand names, where confirmed: matched as synonyms are. */
  brands?: string[];
  /** Keys of the sources its code and brand names were read in. */
  sources?: string[];
  /** Where sources class this member differently, which says what. */
  note?: string;
}

export interface ValueSet {
  title: string;
  description?: string;
  members: ValueSetMember[];
  /** Keys of the sources that support the membership. */
  sources: string[];
  /** A list fact (dotted path) whose every entry must be a member of a value set naming it here. */
  validates?: string;
}

/** A listed name and the member it was taken for. */
export interface ValueSetMatch {
  listed: string;
  member: string;
  /** The member's note: how its sources class it, where they differ. */
  note?: string;
}

/** Lower-case words; apostrophes vanish so that "John's" and "Johns" read the same. */
export function words(name: string): string[] {
  return name
    .toLowerCase()
    .replace(/['\u2019]/g, '')
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
}

const holdsRun = (haystack: readonly string[], run: readonly string[]) =>
  run.length > 0 && haystack.some((_, start) => run.every((word, i) => haystack[start + i] === word));

/** Every spelling a member is recognised by: its name, synonyms and brand names. */
export function spellingsOf(member: ValueSetMember): string[] {
  return [member.name, ...(member.synonyms ?? []), ...(member.brands ?? [])];
}

/**
 * Each member of a set with its spellings as words, worked out on the set's first look-up rather
 * than on every one, where each look-up split every spelling of the set again. Value sets are the
 * knowledge base's, never changed once loaded.
 */
const spellingWords = new WeakMap<ValueSet, readonly { member: ValueSetMember; runs: string[][] }[]>();

function spellingWordsOf(set: ValueSet) {
  let entries = spellingWords.get(set);
  if (entries === undefined) {
    entries = set.members.map((member) => ({ member, runs: spellingsOf(member).map(words) }));
    spellingWords.set(set, entries);
  }
  return entries;
}

/** The member of `set` that `listed` names, if any. */
export function memberNamed(set: ValueSet, listed: string): ValueSetMember | undefined {
  const listedWords = words(listed);
  return spellingWordsOf(set).find(({ runs }) => runs.some((run) => holdsRun(listedWords, run)))?.member;
}

/** One member of one value set, for those who read medications coded rather than named (a FHIR mapping). */
export interface CodedMember {
  valueSet: string;
  name: string;
  /** RxNorm ingredient code, where confirmed; a member without one is matched by its spellings only. */
  rxnorm?: string;
  /** Name, synonyms and brand names. */
  spellings: readonly string[];
}

/** Every member of every value set, in the order the sets and members are written. */
export function codedMembers(valueSets: Readonly<Record<string, ValueSet>>): CodedMember[] {
  return Object.entries(valueSets).flatMap(([valueSet, set]) =>
    set.members.map((member) => ({
      valueSet,
      name: member.name,
      ...(member.rxnorm ? { rxnorm: member.rxnorm } : {}),
      spellings: spellingsOf(member),
    })),
  );
}

/** Every entry of `lists` that names a member of `set`, with the member it names. */
export function matchesIn(set: ValueSet, lists: readonly (readonly string[])[]): ValueSetMatch[] {
  return lists.flat().flatMap((listed) => {
    const member = memberNamed(set, listed);
    return member ? [{ listed, member: member.name, ...(member.note ? { note: member.note } : {}) }] : [];
  });
}
