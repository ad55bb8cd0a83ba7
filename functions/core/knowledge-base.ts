import compiled from './generated/knowledge-base.json' with { type: 'json' };
import type { CompiledKnowledgeBase, EmbeddedKnowledgeBase, KnowledgeBaseMetadata } from './rule-definition.js';
import type { Evidence, Finding, KnowledgeBaseInfo } from './types.js';
import { codedMembers, memberNamed, type CodedMember, type ValueSet } from './value-sets.js';

/**
 * The rules built into this bundle. `npm run generate` checked them and embedded them as JSON, so
 * nothing is read from disk at run time and the digest always describes what actually runs. Typed
 * as what an evaluation reads: a Lambda bundle carries no authoring-only parts (scripts/build.ts).
 */
export const knowledgeBase: EmbeddedKnowledgeBase = compiled as unknown as CompiledKnowledgeBase;

/**
 * The whole compiled knowledge base, changelog, unconfirmed statements and shared conditions
 * included: for the review console, which embeds it whole. Never imported by a Lambda handler.
 */
export const wholeKnowledgeBase = compiled as unknown as CompiledKnowledgeBase;

/** The built-in drug value sets by name (knowledge-base spec, Value sets): what the FHIR mapping can identify. */
export const knowledgeBaseValueSets: Readonly<Record<string, ValueSet>> = knowledgeBase.valueSets ?? {};

/** The category and indicator of each built-in rule, by id: what a finding of it would be. */
export const ruleKinds: ReadonlyMap<string, Pick<Finding, 'category' | 'indicator'>> = new Map(
  knowledgeBase.rules.map((rule) => [
    rule.name,
    { category: rule.event.params.category, indicator: rule.event.params.indicator },
  ]),
);

/**
 * Every value-set member of the built-in knowledge base with its RxNorm ingredient code and
 * spellings: what a FHIR mapping needs to put a coded medication into `medications.active` under a
 * name the rules know (knowledge-base spec v3, Value sets). Free of FHIR: codes are plain strings.
 */
export const valueSetMembers: readonly CodedMember[] = Object.freeze(codedMembers(knowledgeBase.valueSets ?? {}));

/**
 * Whether a medication's name (as recorded, without a code) names a member of any value set, by
 * name, synonym or brand: one that does not goes to `medications.unidentified` (facts.md v3).
 */
export function namesAValueSetMember(name: string): boolean {
  return Object.values(knowledgeBase.valueSets ?? {}).some((set) => memberNamed(set, name) !== undefined);
}

/** `date` (YYYY-MM-DD) plus `months`, the day kept within the month reached (01-31 + 1 month = 02-28/29). */
export function addMonths(date: string, months: number): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(year, month - 1 + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, lastDay));
  return target.toISOString().slice(0, 10);
}

/**
 * What an answer must say about a knowledge base that is not approved for use (knowledge-base spec,
 * Knowledge-base metadata). It reads no clock: the due date is computed from the metadata, so the
 * same facts always give the same answer.
 */
export function statusWarnings(
  meta: Pick<KnowledgeBaseMetadata, 'id' | 'version' | 'status' | 'lastReviewed' | 'reviewIntervalMonths'>,
): string[] {
  const name = `Knowledge base ${meta.id} ${meta.version}`;
  const review =
    meta.lastReviewed === null
      ? 'it has never been reviewed by a clinician'
      : `it was last reviewed on ${meta.lastReviewed}; the next review is due on ${addMonths(meta.lastReviewed, meta.reviewIntervalMonths)}`;
  switch (meta.status) {
    case 'active':
      return [];
    case 'draft':
      return [`${name} is a draft, not approved for clinical use: ${review}. Check each finding against its sources.`];
    case 'retired':
      return [`${name} is retired and should no longer be used: ${review}.`];
  }
}

/** What every answer says about the knowledge base that gave it (facts.md, Response body). */
export function infoOf(kb: EmbeddedKnowledgeBase): KnowledgeBaseInfo {
  const warnings = statusWarnings(kb);
  return Object.freeze({
    id: kb.id,
    version: kb.version,
    digest: kb.digest,
    status: kb.status,
    lastReviewed: kb.lastReviewed,
    ...(warnings.length > 0 ? { warnings: Object.freeze(warnings) as string[] } : {}),
  });
}

const labelsByUrl = new Map(Object.values(knowledgeBase.sources).map((source) => [source.url, source.label]));

/** The short name of an evidence item's source (each source has its own URL). */
export function sourceLabel(evidence: Pick<Evidence, 'url' | 'citation'>): string {
  return labelsByUrl.get(evidence.url) ?? evidence.citation;
}
