import { brotliCompressSync, constants } from 'node:zlib';
import { AUTHORING_ONLY_PARTS } from '../../functions/core/rule-definition.js';

/**
 * The knowledge base as a Lambda bundle embeds it: a CommonJS module that exports the compiled
 * knowledge base without the parts only authors read (changelog, unconfirmed statements, shared
 * conditions as written), kept brotli-compressed and read back with one JSON.parse at init.
 * As a JavaScript object literal it was 216 KB, two thirds of the /evaluate bundle; compressed it
 * is 33 KB, and V8 no longer compiles it with the code (docs/performance.md has the figures).
 */
export function compactKnowledgeBaseModule(compiledJson: string): string {
  const embedded = JSON.parse(compiledJson) as Record<string, unknown>;
  for (const part of AUTHORING_ONLY_PARTS) delete embedded[part];
  const text = Buffer.from(JSON.stringify(embedded), 'utf8');
  const packed = brotliCompressSync(text, {
    params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: text.length },
  }).toString('base64');
  return `module.exports = JSON.parse(require('node:zlib').brotliDecompressSync(Buffer.from(${JSON.stringify(packed)}, 'base64')).toString('utf8'));\n`;
}
