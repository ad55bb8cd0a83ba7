import compiled from './generated/knowledge-base.json' with { type: 'json' };
import type { CompiledKnowledgeBase, RuleDefinition } from './rule-definition.js';
import type { KnowledgeBaseInfo } from './types.js';

/**
 * The rules built into this bundle. `npm run generate` checked them and embedded them as JSON, so
 * nothing is read from disk at run time and the digest always describes what actually runs.
 */
export const knowledgeBase = compiled as CompiledKnowledgeBase;

export const knowledgeBaseInfo: KnowledgeBaseInfo = Object.freeze({
  id: knowledgeBase.id,
  version: knowledgeBase.version,
  digest: knowledgeBase.digest,
});

export const rulesById: ReadonlyMap<string, RuleDefinition> = new Map(knowledgeBase.rules.map((r) => [r.name, r]));
