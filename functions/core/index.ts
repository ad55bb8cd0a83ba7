/**
 * In-process entry point for embedding: `import { evaluate } from 'imatinib-sm-cds'`.
 * Free of AWS, HTTP and CDS Hooks code.
 */
export { evaluate } from './evaluate.js';
export { knowledgeBaseInfo, sourceLabel } from './knowledge-base.js';
export { InvalidPatientFactsError, type FactProblem } from './validate-facts.js';
export type * from './types.js';
