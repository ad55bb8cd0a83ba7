import type { TextValue } from './finding-text.js';
import type { Category, Evidence, Indicator, SuggestedAction } from './types.js';
import type { ValueSet } from './value-sets.js';

/**
 * The shape of a rule file in `rules/` (validated by `rules/rule.schema.json`): a json-rules-engine
 * rule whose conditions are `all` of two named branches, "applies when" and "fires when", and whose
 * event params carry the finding's content.
 */

export interface FactCondition {
  /** Plain words for the condition; the rationale text is built from these. */
  name: string;
  fact: string;
  /** JSONPath of the form `$.a.b` into the fact's object. */
  path?: string;
  operator: string;
  value: unknown;
  params?: Record<string, unknown>;
}

export interface AllCondition {
  name?: string;
  all: Condition[];
}

export interface AnyCondition {
  name?: string;
  any: Condition[];
}

export type BooleanCondition = AllCondition | AnyCondition;
export type Condition = FactCondition | BooleanCondition;

/**
 * A shared condition of `rules/conditions.json`, by name, as a rule file or another shared
 * condition writes it. The build puts the whole condition, named so, in its place: compiled rules
 * hold no references.
 */
export interface ConditionReference {
  condition: string;
}

/** A condition as written in a file: a compiled one, or a reference to a shared condition. */
export type WrittenCondition =
  FactCondition | { name?: string; all: WrittenCondition[] } | { name?: string; any: WrittenCondition[] } | ConditionReference;

/** A shared condition (`rules/conditions.json`): `all` or `any` of written conditions, with what it means. */
export type SharedCondition = { description: string } & ({ all: WrittenCondition[] } | { any: WrittenCondition[] });

export const APPLIES_WHEN = 'applies when';
export const FIRES_WHEN = 'fires when';

export interface RuleEvidence extends Evidence {
  /** Key of the source in `rules/knowledge-base.json`. */
  source: string;
  /** Shown only when this named condition of the rule came out true (a statement that holds only then). */
  when?: string;
}

/** A paragraph added to a finding's detail when the named condition of its rule came out true. */
export interface DetailNote {
  /** The `name` of a condition (leaf or branch) of the same rule. */
  when: string;
  text: string;
}

export interface FindingContent {
  category: Category;
  indicator: Indicator;
  /** May show `{{name}}` values (finding-text.ts), as may the detail and the notes. */
  summary: string;
  detail: string;
  notes?: DetailNote[];
  /** The fact values the text shows, by the name its placeholders use. */
  values?: Record<string, TextValue>;
  /** Empty only with `noSource`. */
  evidence: RuleEvidence[];
  /** Why no source is cited: a statement about the record rather than the patient. */
  noSource?: string;
  /** `when`: offered only when that named condition of the rule came out true. */
  suggestedActions?: (SuggestedAction & { when?: string })[];
}

export interface RuleDefinition {
  name: string;
  priority: number;
  conditions: { all: [AllCondition, BooleanCondition] };
  event: { type: string; params: FindingContent };
}

export interface Source {
  /** A short name for the source, for a CDS Hooks card's `source.label`. */
  label: string;
  citation: string;
  pmid: string | null;
  url: string;
  /** The revision or year of the text that was read. */
  revision?: string;
}

export type KnowledgeBaseStatus = 'draft' | 'active' | 'retired';

/** `rules/knowledge-base.json` (validated by `rules/knowledge-base.schema.json`). */
export interface KnowledgeBaseMetadata {
  id: string;
  version: string;
  title: string;
  status: KnowledgeBaseStatus;
  /** ISO dates (YYYY-MM-DD). */
  effective: string;
  lastReviewed: string | null;
  reviewIntervalMonths: number;
  /** A role, never a person's name; null when nobody has reviewed it. */
  reviewedBy: string | null;
  changelog: { version: string; date: string; changes: string[] }[];
  sources: Record<string, Source>;
  valueSets?: Record<string, ValueSet>;
  /** Statements the specification asked for that could not be read in a copy of their source. */
  unconfirmed?: { rules: string[]; statement: string; source: string }[];
}

/** Evidence as embedded: the source by key (its citation, PMID and URL are in `sources`). */
export interface EvidenceRef {
  source: string;
  statement: string;
  section?: string;
  revision?: string;
  when?: string;
}

/** A rule as embedded in the bundle: its evidence points at the sources instead of repeating them. */
export interface CompiledRule extends Omit<RuleDefinition, 'event'> {
  event: { type: string; params: Omit<FindingContent, 'evidence'> & { evidence: EvidenceRef[] } };
}

/** The parts of a rule the engine runs. */
export type RunnableRule = Pick<RuleDefinition, 'name' | 'priority' | 'conditions'>;

/** What `npm run generate` embeds: the metadata, the validated rules and the files' digest. */
export interface CompiledKnowledgeBase extends KnowledgeBaseMetadata {
  digest: string;
  rules: CompiledRule[];
  /** The shared conditions as written, by name, for the catalogue and the console. */
  sharedConditions?: Record<string, SharedCondition>;
}

/** Parts of the compiled knowledge base that only authors and reviewers read (catalogue, console), never an evaluation. */
export const AUTHORING_ONLY_PARTS = ['changelog', 'unconfirmed', 'sharedConditions'] as const;

/**
 * What an evaluation reads: the compiled knowledge base without its authoring-only parts. The
 * Lambda bundles embed only this (scripts/build.ts); the library and the console embed it whole.
 */
export type EmbeddedKnowledgeBase = Omit<CompiledKnowledgeBase, (typeof AUTHORING_ONLY_PARTS)[number]>;

export function isFactCondition(condition: Condition | WrittenCondition): condition is FactCondition {
  return 'fact' in condition;
}

export function isConditionReference(condition: WrittenCondition): condition is ConditionReference {
  return 'condition' in condition;
}

export function childrenOf<C extends Condition | WrittenCondition>(condition: { all: C[] } | { any: C[] }): C[] {
  return 'all' in condition ? condition.all : condition.any;
}
