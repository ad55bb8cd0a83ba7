import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runInNewContext } from 'node:vm';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { compactKnowledgeBaseModule } from '../../scripts/build/compact-knowledge-base.js';
import { AUTHORING_ONLY_PARTS } from '../../functions/core/rule-definition.js';

const compiledFile = path.resolve(import.meta.dirname, '../../functions/core/generated/knowledge-base.json');

/** The module's export, as the Lambda runtime's require would give it. */
function load(moduleText: string): Record<string, unknown> {
  const module = { exports: {} as Record<string, unknown> };
  runInNewContext(moduleText, { module, exports: module.exports, require: createRequire(import.meta.url), Buffer });
  return module.exports;
}

describe('the knowledge base as the Lambda bundles embed it', () => {
  const compiledJson = readFileSync(compiledFile, 'utf8');
  const whole = JSON.parse(compiledJson) as Record<string, unknown>;
  const moduleText = compactKnowledgeBaseModule(compiledJson);

  it('reads back as the compiled knowledge base without its authoring-only parts, every rule and value set intact', () => {
    const expected = { ...whole };
    for (const part of AUTHORING_ONLY_PARTS) delete expected[part];

    expect(load(moduleText)).toEqual(expected);
    for (const part of AUTHORING_ONLY_PARTS) expect(whole).toHaveProperty(part);
  });

  it('is a fifth of the knowledge base as JSON text or less', () => {
    expect(moduleText.length).toBeLessThan(compiledJson.length / 5);
  });
});
