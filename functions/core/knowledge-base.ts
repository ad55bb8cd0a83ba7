import compiled from './generated/knowledge-base.json' with { type: 'json' };
import type { CompiledKnowledgeBase, CompiledRule } from './rule-definition.js';
import type { Evidence, KnowledgeBaseInfo } from './types.js';

/**
 * The rules built into this bundle. `npm run generate` checked them and embedded them as JSON, so
 * nothing is read from disk at run time and the digest always describes what actually runs.
 */
export const knowledgeBase = compiled as unknown as CompiledKnowledgeBase;

export const knowledgeBaseInfo: KnowledgeBaseInfo = Object.freeze({
  id: knowledgeBase.id,
  version: knowledgeBase.version,
  digest: knowledgeBase.digest,
});

export const rulesById: ReadonlyMap<string, CompiledRule> = new Map(knowledgeBase.rules.map((r) => [r.name, r]));

const labelsByUrl = new Map(Object.values(knowledgeBase.sources).map((source) => [source.url, source.label]));

/** The short name of an evidence item's source (each source has its own URL). */
export function sourceLabel(evidence: Pick<Evidence, 'url' | 'citation'>): string {
  return labelsByUrl.get(evidence.url) ?? evidence.citation;
}
