/**
 * Reference interpreter for the rule files in `rules/`: an oracle for differential tests, written
 * apart from `functions/` (no shared code, no json-rules-engine) straight from the written
 * semantics: fact normalisation, three-valued (Kleene) logic, derived facts and rule outcomes.
 * Evaluation is synchronous and does no I/O; the files are read once, by `loadReference`.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** What one rule concluded for one patient. */
export type Outcome = 'fired' | 'not-fired' | 'not-applicable' | 'undecided';

/** A loaded rule set, ready to evaluate patient facts. */
export interface Reference {
  /** Every rule id, sorted. */
  ruleIds: readonly string[];
  /** The outcome of every rule for these facts, by rule id. */
  outcomes(facts: object): Record<string, Outcome>;
  /** Ids of the fired rules: critical, warning, then info; then priority descending; then id. */
  firedRuleIds(facts: object): string[];
}

type Truth = boolean | null;
type Dict = Record<string, unknown>;
type Test = (actual: unknown, expected: unknown) => boolean;

interface Leaf {
  kind: 'leaf';
  fact: string;
  path: string[];
  operator: string;
  test: Test;
  value: unknown;
  params: Dict;
}
type Condition = Leaf | { kind: 'all' | 'any'; parts: Condition[] };

interface Rule {
  id: string;
  priority: number;
  rank: number;
  applies: Condition;
  fires: Condition;
}

interface Context {
  facts: Dict;
  valueSets: Map<string, SetMember[]>;
  outcomeOf(ruleId: string): Outcome;
}

const isObject = (v: unknown): v is Dict => typeof v === 'object' && v !== null;
const isKnown = (v: unknown): boolean => v !== undefined && v !== null && v !== 'unknown';
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Follows own properties only, so inherited names (`constructor`, ...) read as absent. */
function follow(root: unknown, segments: readonly string[]): unknown {
  let current = root;
  for (const segment of segments) {
    if (!isObject(current) || !Object.hasOwn(current, segment)) return undefined;
    current = current[segment]; // an array's own `length` gives its length
  }
  return current;
}

const compare =
  (ok: (a: number, e: number) => boolean): Test =>
  (a, e) =>
    isFiniteNumber(a) && typeof e === 'number' && ok(a, e);

/** `known` is the one operator that reads unknown values; the others only see known ones. */
const OPERATORS = new Map<string, Test>([
  ['known', (a, e) => isKnown(a) === e],
  ['equal', (a, e) => a === e],
  ['notEqual', (a, e) => a !== e],
  ['in', (a, e) => Array.isArray(e) && e.includes(a)],
  ['notIn', (a, e) => Array.isArray(e) && !e.includes(a)],
  ['contains', (a, e) => Array.isArray(a) && a.includes(e)],
  ['doesNotContain', (a, e) => Array.isArray(a) && !a.includes(e)],
  ['lessThan', compare((a, e) => a < e)],
  ['lessThanInclusive', compare((a, e) => a <= e)],
  ['greaterThan', compare((a, e) => a > e)],
  ['greaterThanInclusive', compare((a, e) => a >= e)],
  ['hasItems', (a, e) => Array.isArray(a) && a.length > 0 === e],
  // true: the number has no fractional part; false: it has one (1.8 platelets sent in 10^9/L)
  ['wholeNumber', (a, e) => isFiniteNumber(a) && Number.isInteger(a) === e],
]);

// ---- KIT protein notation -------------------------------------------------------------------

const THREE_LETTER: Record<string, string> = {
  ala: 'A',
  arg: 'R',
  asn: 'N',
  asp: 'D',
  cys: 'C',
  gln: 'Q',
  glu: 'E',
  gly: 'G',
  his: 'H',
  ile: 'I',
  leu: 'L',
  lys: 'K',
  met: 'M',
  phe: 'F',
  pro: 'P',
  ser: 'S',
  thr: 'T',
  trp: 'W',
  tyr: 'Y',
  val: 'V',
  ter: '*',
};
// No code occurs inside del/dup/ins/delins/fs, so a plain left-to-right replace is safe.
const THREE_LETTER_RE = new RegExp(Object.keys(THREE_LETTER).join('|'), 'gi');
const AA = '[ACDEFGHIKLMNPQRSTVWY]';
const up = (s = ''): string => s.toUpperCase();
const low = (s = ''): string => s.toLowerCase();

/** Each readable form, with how to write its canonical spelling from the match groups. */
const KIT_FORMS: [RegExp, (g: (string | undefined)[]) => string][] = [
  [new RegExp(`^(${AA})(\\d+)(${AA}|\\*)$`, 'i'), (g) => up(g[1]) + g[2] + up(g[3])],
  // del/dup, or (del)ins + residues, after one position or a range; `del` is tried alone first,
  // so "delinsV" is never read as del + residues "INSV".
  [
    new RegExp(`^(${AA})(\\d+)(?:_(${AA})(\\d+))?(?:(del|dup)|(delins|ins)(${AA}+))$`, 'i'),
    (g) => up(g[1]) + g[2] + (g[3] ? `_${up(g[3])}${g[4]}` : '') + (g[5] ? low(g[5]) : low(g[6]) + up(g[7])),
  ],
  [
    new RegExp(`^(${AA})(\\d+)(${AA})?fs(?:\\*(\\d+))?$`, 'i'),
    (g) => up(g[1]) + g[2] + up(g[3]) + 'fs' + (g[4] ? `*${g[4]}` : ''),
  ],
  [/^del(\d+)$/i, (g) => `del${g[1]}`],
];

/** The one cDNA change read (spec v3: c.2447A>T is D816V), keyed by its upper-case spelling. */
const CDNA_TO_PROTEIN = new Map([['C.2447A>T', 'D816V']]);

/**
 * Reads one KIT variant in protein notation, after any gene prefix ("KIT ", "KIT:", "c-KIT ")
 * and the NM_000222 transcript; `p.` and enclosing parentheses may come in either order. The cDNA
 * c.2447A>T is D816V; any other cDNA, and anything in none of the known forms, is undefined.
 */
function readKit(entry: unknown): { canonical: string; codon: number } | undefined {
  if (typeof entry !== 'string') return undefined;
  let s = entry.trim();
  const prefix = /^(c-)?kit(\s*:\s*|\s+)/i.exec(s);
  if (prefix) s = s.slice(prefix[0].length);
  const transcript = /^nm_000222(\.\d+)?\s*:\s*/i.exec(s);
  if (transcript) s = s.slice(transcript[0].length);
  if (/^c\./i.test(s)) {
    const protein = CDNA_TO_PROTEIN.get(s.toUpperCase());
    return protein ? readKit(protein) : undefined;
  }
  for (let round = 0; round < 2; round++) {
    if (s.startsWith('(') && s.endsWith(')')) s = s.slice(1, -1);
    if (/^p\./i.test(s)) s = s.slice(2);
  }
  s = s.replace(THREE_LETTER_RE, (code) => THREE_LETTER[code.toLowerCase()] ?? code);
  for (const [re, write] of KIT_FORMS) {
    const match = re.exec(s);
    if (!match) continue;
    const canonical = write([...match]);
    return { canonical, codon: Number(/\d+/.exec(canonical)?.[0]) };
  }
  return undefined;
}

// ---- Normalisation and derived facts --------------------------------------------------------

const IMATINIB_NAMES = new Set(['imatinib', 'imatinib mesylate', 'gleevec', 'glivec']);

/** A normalised deep copy: the caller's object is never touched. */
function normalise(input: object): Dict {
  const facts = structuredClone(input) as Dict;
  const order = follow(facts, ['order']);
  const drug = follow(order, ['drug']);
  if (isObject(order) && typeof drug === 'string' && IMATINIB_NAMES.has(drug.toLowerCase())) order.drug = 'imatinib';
  const molecular = follow(facts, ['molecular']);
  const kit = follow(molecular, ['kitOtherMutations']);
  if (isObject(molecular) && Array.isArray(kit)) {
    const normalised = kit.map((entry: unknown) => readKit(entry)?.canonical ?? entry);
    molecular.kitOtherMutations = normalised;
    // A listed D816V wins over any summary; an entry that cannot be read may be D816V, so a
    // "not-detected" beside it is not relied on.
    if (normalised.includes('D816V')) molecular.kitD816V = 'detected';
    else if (molecular.kitD816V === 'not-detected' && kit.some((entry: unknown) => !readKit(entry)))
      molecular.kitD816V = 'unknown';
  }
  return facts;
}

/** Lower-case word tokens; apostrophes vanish so that "John's" and "Johns" read the same. */
function tokenise(s: string): string[] {
  return s
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]/g, ' ')
    .split(' ')
    .filter((t) => t !== '');
}

const containsRun = (tokens: string[], run: string[]): boolean =>
  run.length > 0 && tokens.some((_, i) => run.every((t, j) => tokens[i + j] === t));

const DERIVED = new Map<string, (params: Dict, ctx: Context) => unknown>([
  [
    'percentChangeFromBaseline',
    (params, { facts }) => {
      const baseline = follow(facts, ['treatmentCourse', 'baseline', String(params.measure)]);
      const current = follow(facts, ['treatmentCourse', 'current', String(params.measure)]);
      if (typeof baseline !== 'number' || typeof current !== 'number') return undefined;
      // Rising is positive; a zero baseline gives no change (as the written semantics say).
      return baseline === 0 ? 0 : ((current - baseline) / baseline) * 100;
    },
  ],
  [
    'countOfRules',
    (params, ctx) => asArray(params.rules).filter((id) => asArray(params.withOutcome).includes(ctx.outcomeOf(String(id)))).length,
  ],
  [
    'valueSetMatches',
    (params, { facts, valueSets }) => {
      const lists = asArray(params.lists)
        .map((path) => follow(facts, String(path).split('.')))
        .filter((list): list is unknown[] => Array.isArray(list));
      if (lists.length === 0) return undefined;
      const members = valueSets.get(String(params.valueSet)) ?? [];
      // An entry stands for the first member (in the set's order) one of whose spellings it holds.
      const memberOf = (entry: string) => members.find((m) => m.runs.some((run) => containsRun(tokenise(entry), run)))?.name;
      return lists.flat().filter((entry) => {
        if (typeof entry !== 'string') return false;
        const member = memberOf(entry);
        return member !== undefined && (params.member === undefined || member === params.member);
      });
    },
  ],
  [
    'kitVariantsFound',
    (params, { facts }) => {
      const list = follow(facts, ['molecular', 'kitOtherMutations']);
      if (!Array.isArray(list)) return undefined;
      const [lo, hi] = asArray(params.codons);
      const inRange = (codon: number): boolean => typeof lo === 'number' && typeof hi === 'number' && codon >= lo && codon <= hi;
      const read = list.map(readKit);
      const matches = read.flatMap((r) =>
        r &&
        (asArray(params.variants).includes(r.canonical) || (inRange(r.codon) && !asArray(params.except).includes(r.canonical)))
          ? [r.canonical]
          : [],
      );
      if (matches.length > 0) return matches;
      // Nothing matched, but an entry we cannot read might have: the answer is not known.
      return read.includes(undefined) ? undefined : [];
    },
  ],
  [
    'kitVariantsUnreadable',
    (_params, { facts }) => {
      const list = follow(facts, ['molecular', 'kitOtherMutations']);
      return Array.isArray(list) ? list.filter((entry) => !readKit(entry)) : undefined;
    },
  ],
]);

// ---- Evaluation -----------------------------------------------------------------------------

function truth(c: Condition, ctx: Context): Truth {
  if (c.kind === 'leaf') {
    const derive = DERIVED.get(c.fact);
    const actual = derive ? derive(c.params, ctx) : follow(ctx.facts, [c.fact, ...c.path]);
    if (c.operator !== 'known' && !isKnown(actual)) return null;
    return c.test(actual, c.value);
  }
  // Kleene: the dominant value (false for all, true for any) wins over unknown, unknown over the rest.
  const dominant = c.kind === 'any';
  const parts = c.parts.map((p) => truth(p, ctx));
  if (parts.includes(dominant)) return dominant;
  return parts.includes(null) ? null : !dominant;
}

function outcomeOf(rule: Rule, ctx: Context): Outcome {
  const a = truth(rule.applies, ctx);
  const f = truth(rule.fires, ctx);
  if (a === false || f === false) return a === true ? 'not-fired' : 'not-applicable';
  return a === true && f === true ? 'fired' : 'undecided';
}

// ---- Loading --------------------------------------------------------------------------------

const INDICATOR_RANK = new Map([
  ['critical', 0],
  ['warning', 1],
  ['info', 2],
]);

/** The shared conditions of conditions.json by name, and the names being expanded (to refuse a cycle). */
interface Shared {
  byName: Dict;
  expanding: readonly string[];
}

function parseCondition(c: unknown, fail: (why: string) => Error, shared: Shared): Condition {
  if (!isObject(c)) throw fail('a condition is not an object');
  if (typeof c.condition === 'string') {
    // A reference stands for the whole shared condition it names.
    const name = c.condition;
    if (!Object.hasOwn(shared.byName, name)) throw fail(`unknown shared condition "${name}"`);
    if (shared.expanding.includes(name)) throw fail(`shared condition "${name}" refers to itself`);
    return parseCondition(shared.byName[name], fail, { byName: shared.byName, expanding: [...shared.expanding, name] });
  }
  for (const kind of ['all', 'any'] as const) {
    const parts = c[kind];
    if (Array.isArray(parts)) return { kind, parts: parts.map((p: unknown) => parseCondition(p, fail, shared)) };
  }
  const { fact, operator, path } = c;
  if (typeof fact !== 'string' || typeof operator !== 'string') throw fail('a condition has no fact or operator');
  const test = OPERATORS.get(operator);
  if (!test) throw fail(`unknown operator "${operator}"`);
  const segments =
    typeof path === 'string'
      ? path
          .replace(/^\$\.?/, '')
          .split('.')
          .filter((s) => s !== '')
      : [];
  return { kind: 'leaf', fact, path: segments, operator, test, value: c.value, params: isObject(c.params) ? c.params : {} };
}

function parseRule(raw: unknown, file: string, shared: Shared): Rule {
  const id = String(follow(raw, ['name']));
  const fail = (why: string): Error => new Error(`rule ${id} (${file}): ${why}`);
  if (typeof follow(raw, ['name']) !== 'string') throw fail('name must be a string');
  const top = follow(raw, ['conditions', 'all']);
  if (!Array.isArray(top) || top.length !== 2) throw fail('conditions.all must be [applies when, fires when]');
  const [applies, fires] = top as unknown[];
  if (follow(applies, ['name']) !== 'applies when' || !Array.isArray(follow(applies, ['all'])))
    throw fail('first condition must be "applies when" (all)');
  if (follow(fires, ['name']) !== 'fires when') throw fail('second condition must be "fires when"');
  const priority = follow(raw, ['priority']);
  const rank = INDICATOR_RANK.get(String(follow(raw, ['event', 'params', 'indicator'])));
  if (typeof priority !== 'number' || !Number.isInteger(priority)) throw fail('priority must be an integer');
  if (rank === undefined) throw fail('event.params.indicator must be info, warning or critical');
  return { id, priority, rank, applies: parseCondition(applies, fail, shared), fires: parseCondition(fires, fail, shared) };
}

function* leaves(c: Condition): Generator<Leaf> {
  if (c.kind === 'leaf') yield c;
  else for (const part of c.parts) yield* leaves(part);
}

/** A value-set member: its name, and its spellings as token runs, tokenised once here rather than per patient. */
interface SetMember {
  name: unknown;
  runs: string[][];
}

function readValueSets(knowledgeBase: unknown): Map<string, SetMember[]> {
  const sets = new Map<string, SetMember[]>();
  const raw = follow(knowledgeBase, ['valueSets']);
  if (!isObject(raw)) return sets;
  for (const [name, set] of Object.entries(raw)) {
    const members = asArray(follow(set, ['members'])).map((m) => {
      // A member is named by its name, its synonyms and (v3) its brand names alike.
      const spellings = [follow(m, ['name']), ...asArray(follow(m, ['synonyms'])), ...asArray(follow(m, ['brands']))];
      return { name: follow(m, ['name']), runs: spellings.filter((s): s is string => typeof s === 'string').map(tokenise) };
    });
    sets.set(name, members);
  }
  return sets;
}

/**
 * Loads every rule file of `rulesDir` (not its subfolders, `knowledge-base.json`, `conditions.json`
 * or schema files), the value sets of its `knowledge-base.json` and the shared conditions of its
 * `conditions.json`, which stand in for each `{"condition": name}`. Throws, naming the rule, on an
 * unknown operator, a malformed rule, a duplicate id, or a reference to a missing rule, value set
 * or shared condition.
 */
export function loadReference(rulesDir: string = join(import.meta.dirname, '..', '..', 'rules')): Reference {
  const read = (file: string): unknown => JSON.parse(readFileSync(join(rulesDir, file), 'utf8'));
  const kbFile = join(rulesDir, 'knowledge-base.json');
  const valueSets = readValueSets(existsSync(kbFile) ? read('knowledge-base.json') : {});
  const conditionsFile = join(rulesDir, 'conditions.json');
  const sharedByName = follow(existsSync(conditionsFile) ? read('conditions.json') : {}, ['conditions']);
  const shared: Shared = { byName: isObject(sharedByName) ? sharedByName : {}, expanding: [] };
  const notRules = new Set(['knowledge-base.json', 'conditions.json']);
  const files = readdirSync(rulesDir, { withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith('.json') && !notRules.has(d.name) && !d.name.includes('schema'))
    .map((d) => d.name);

  const byId = new Map<string, Rule>();
  for (const file of files) {
    const rule = parseRule(read(file), file, shared);
    if (byId.has(rule.id)) throw new Error(`rule ${rule.id} (${file}): duplicate rule id`);
    byId.set(rule.id, rule);
  }
  for (const rule of byId.values()) {
    for (const leaf of [...leaves(rule.applies), ...leaves(rule.fires)]) {
      for (const counted of leaf.fact === 'countOfRules' ? asArray(leaf.params.rules) : []) {
        if (!byId.has(String(counted))) throw new Error(`rule ${rule.id}: countOfRules names unknown rule ${String(counted)}`);
      }
      if (leaf.fact === 'valueSetMatches' && !valueSets.has(String(leaf.params.valueSet))) {
        throw new Error(`rule ${rule.id}: unknown value set ${String(leaf.params.valueSet)}`);
      }
    }
  }

  const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  const ruleIds = [...byId.keys()].sort(byCodeUnit);
  const firingOrder = [...byId.values()].sort((a, b) => a.rank - b.rank || b.priority - a.priority || byCodeUnit(a.id, b.id));

  function outcomes(facts: object): Record<string, Outcome> {
    // Memoised per evaluation, so countOfRules reads each counted rule's outcome once.
    const memo = new Map<string, Outcome | 'pending'>();
    const ctx: Context = {
      facts: normalise(facts),
      valueSets,
      outcomeOf(ruleId) {
        const known = memo.get(ruleId);
        if (known === 'pending') throw new Error(`rule ${ruleId}: countOfRules cycle`);
        if (known) return known;
        const rule = byId.get(ruleId);
        if (!rule) throw new Error(`unknown rule ${ruleId}`);
        memo.set(ruleId, 'pending');
        const outcome = outcomeOf(rule, ctx);
        memo.set(ruleId, outcome);
        return outcome;
      },
    };
    return Object.fromEntries(ruleIds.map((id) => [id, ctx.outcomeOf(id)]));
  }

  return {
    ruleIds,
    outcomes,
    firedRuleIds: (facts) => {
      const all = outcomes(facts);
      return firingOrder.filter((rule) => all[rule.id] === 'fired').map((rule) => rule.id);
    },
  };
}
