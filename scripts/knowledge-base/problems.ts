import type { ErrorObject } from 'ajv';

/** A problem in a knowledge-base file, named by file and place, for the build to print. */
export interface RuleFileProblem {
  file: string;
  where: string;
  problem: string;
}

export class RuleFilesInvalidError extends Error {
  constructor(readonly problems: RuleFileProblem[]) {
    super(`${problems.length} problem(s) in the rule files:\n${problems.map(formatProblem).join('\n')}`);
    this.name = 'RuleFilesInvalidError';
  }
}

export function formatProblem({ file, where, problem }: RuleFileProblem): string {
  return `${file}${where ? ` at ${where}` : ''}: ${problem}`;
}

/** An Ajv error's place as a dotted path with indexes (`cases[2].facts.order`). */
export function ajvPath(error: ErrorObject): string {
  return error.instancePath
    .split('/')
    .filter(Boolean)
    .map((s) => (/^\d+$/.test(s) ? `[${s}]` : `.${s}`))
    .join('')
    .replace(/^\./, '');
}

/** An Ajv error in words, with the value or member it is about. */
export function describeAjvError(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  const allowed = 'allowedValue' in params ? ` (${JSON.stringify(params.allowedValue)})` : '';
  const member = 'additionalProperty' in params ? ` ("${String(params.additionalProperty)}")` : '';
  return `${error.message ?? 'is invalid'}${allowed}${member}`;
}
