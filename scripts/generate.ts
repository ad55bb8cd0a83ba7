/**
 * `npm run generate` (run before test, build, start, invoke and bench): checks the rule files and
 * their cases and embeds them into functions/core/generated/, writes their catalogue to
 * docs/rules.md and the README's list of what is not confirmed, compiles the JSON Schema validators
 * ahead of time beside the modules that use them, and writes the facts' plain names for the CDS
 * cards. A broken rule file stops here with the file and the problem named; `--out` moves only the
 * knowledge base (tests use it on broken copies of rules/). Run again on the same sources, with the
 * same outputs, it has nothing to check or write, and says so (scripts/build/stamp.ts).
 *
 *   tsx scripts/generate.ts [--rules <dir>] [--out <dir>]
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Ajv2020 } from 'ajv/dist/2020.js';
import * as prettier from 'prettier';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { GENERATE_STAMP, sourcesDigest, stampMatches, writeStamp } from './build/stamp.js';
import { formatProblem, RuleFilesInvalidError } from './knowledge-base/problems.js';

const root = path.resolve(import.meta.dirname, '..');
const { values: args, tokens } = parseArgs({
  options: {
    rules: { type: 'string', default: path.join(root, 'rules') },
    out: { type: 'string', default: path.join(root, 'functions/core/generated') },
  },
  tokens: true,
});
/** The repository's own generation (no --rules or --out): the one that writes docs/ and the README, and is stamped. */
const ofTheRepository = !tokens.some((token) => token.kind === 'option');
/** An output of generate that is no source of the build (docs/ is not): it counts in the stamp all the same. */
const CATALOGUE = 'docs/rules.md';
/**
 * What generate reads or writes outside the sources a build stamps (docs/, test/): its pages of
 * docs, and the reference interpreter that decides what keeps a safety rule silent.
 */
const ALSO_STAMPED = [CATALOGUE, 'docs/fhir-codes.md', 'test/reference/interpreter.ts'];

/** Schemas compiled to standalone validators, by output path (beside the module that uses each). */
const validators: Record<string, string> = {
  'functions/core/generated/validate-patient-facts': 'schemas/patient-facts.schema.json',
  'functions/adapters/cds-hooks/generated/validate-cds-hooks-request': 'schemas/cds-hooks-request.schema.json',
  'functions/adapters/cds-hooks/generated/validate-cds-hooks-feedback': 'schemas/cds-hooks-feedback.schema.json',
};

function readSchema(file: string): object {
  // Descriptions and titles are for readers of the schema; the compiled validator does not need them.
  return JSON.parse(readFileSync(path.join(root, file), 'utf8'), (key, value: unknown) =>
    key === 'description' || key === 'title' ? undefined : value,
  ) as object;
}

/** Ajv as every validator here is compiled: all errors, strict schemas, standalone optimised code. */
const standaloneAjv = () =>
  new Ajv2020({ allErrors: true, strict: true, strictRequired: false, messages: false, code: { source: true, optimize: true } });

function compileValidator(schemaFile: string): string {
  const ajv = standaloneAjv();
  return standaloneCode(ajv, ajv.compile(readSchema(schemaFile)));
}

/** A schema of `$defs` only, compiled to one validator per definition, exported by its name. */
function compileDefinitions(schemaFile: string, names: readonly string[]): string {
  const ajv = standaloneAjv();
  const schema = readSchema(schemaFile) as { $id: string };
  ajv.addSchema(schema);
  return standaloneCode(ajv, Object.fromEntries(names.map((name) => [name, `${schema.$id}#/$defs/${name}`])));
}

const FHIR_RESOURCES = [
  'MedicationRequest',
  'DraftMedicationRequest',
  'MedicationStatement',
  'Medication',
  'Observation',
  'Patient',
  'Condition',
] as const;

const FHIR_VALIDATOR_TYPES = `import type { ErrorObject } from 'ajv';
interface Validate {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}
${FHIR_RESOURCES.map((name) => `export declare const ${name}: Validate;`).join('\n')}
`;

const VALIDATOR_TYPES = `import type { ErrorObject } from 'ajv';
interface Validate {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}
declare const validate: Validate;
export = validate;
`;

/** Writes only when the content changed, so a run alongside tests never truncates a file they read. */
function writeIfChanged(file: string, content: string): void {
  if (existsSync(file) && readFileSync(file, 'utf8') === content) return;
  writeFileSync(file, content);
}

function compileValidators(): void {
  for (const [output, schemaFile] of Object.entries(validators)) {
    mkdirSync(path.dirname(path.join(root, output)), { recursive: true });
    writeIfChanged(path.join(root, `${output}.cjs`), compileValidator(schemaFile));
    writeIfChanged(path.join(root, `${output}.d.cts`), VALIDATOR_TYPES);
  }
  const fhirValidators = path.join(root, 'functions/adapters/fhir/generated/validate-fhir-read-subset');
  mkdirSync(path.dirname(fhirValidators), { recursive: true });
  writeIfChanged(`${fhirValidators}.cjs`, compileDefinitions('schemas/fhir-read-subset.schema.json', FHIR_RESOURCES));
  writeIfChanged(`${fhirValidators}.d.cts`, FHIR_VALIDATOR_TYPES);
}

/**
 * The plain name of every PatientFacts field, from its `title` in the facts schema (read as the
 * review console's form reads it), for the CDS Hooks card that lists what is not on record. A field
 * of a nested group (a treatment course's baseline) is named with its group.
 */
async function writeFactTitles(): Promise<void> {
  const { factForm } = await import('../console/src/schema-fields.js');
  const schema = JSON.parse(readFileSync(path.join(root, 'schemas/patient-facts.schema.json'), 'utf8')) as Parameters<
    typeof factForm
  >[0];
  const titles: Record<string, string> = {};
  for (const section of factForm(schema)) {
    for (const field of section.fields) titles[field.path] = field.label;
    for (const group of section.groups) {
      for (const field of group.fields) titles[field.path] = `${field.label}, ${group.label.toLowerCase()}`;
    }
  }
  const file = path.join(root, 'functions/adapters/cds-hooks/generated/fact-titles.json');
  mkdirSync(path.dirname(file), { recursive: true });
  writeIfChanged(file, `${JSON.stringify(titles, null, 1)}\n`);
}

/**
 * The Markdown file at `file` (from the root) with the block between its "generated: `name`"
 * markers replaced by `lines`, formatted as Prettier formats the page (so format:check passes).
 */
async function withGeneratedBlock(file: string, name: string, lines: string[]): Promise<string> {
  const text = readFileSync(path.join(root, file), 'utf8');
  const start = `<!-- generated: ${name} -->\n`;
  const end = '<!-- end generated -->';
  const from = text.indexOf(start);
  const to = text.indexOf(end, from);
  if (from < 0 || to < 0) throw new Error(`${file}: the "generated: ${name}" markers are missing`);
  const replaced = `${text.slice(0, from + start.length)}\n${lines.join('\n')}\n\n${text.slice(to)}`;
  const filepath = path.join(root, file);
  return prettier.format(replaced, { ...(await prettier.resolveConfig(filepath)), filepath });
}

/**
 * The validators first: the checks of the rule cases validate each case's facts as the service
 * validates a request, with the validator compiled here, so they are loaded only afterwards.
 */
async function main(): Promise<void> {
  if (ofTheRepository && stampMatches(root, GENERATE_STAMP, sourcesDigest(root, ALSO_STAMPED))) {
    console.error('knowledge base and validators already generated from these sources: nothing to check or write');
    return;
  }
  compileValidators();
  await writeFactTitles();
  const { checkRuleFiles } = await import('./knowledge-base/check-rules.js');
  const { readCaseFiles } = await import('./knowledge-base/check-cases.js');
  const { catalogue, unconfirmedSummary, valueSetCodeLines } = await import('./knowledge-base/catalogue.js');
  const outDir = path.resolve(args.out);
  let result;
  try {
    result = checkRuleFiles(path.resolve(args.rules));
  } catch (error) {
    if (!(error instanceof RuleFilesInvalidError)) throw error;
    console.error(`Knowledge base NOT built: ${error.problems.length} problem(s) in the rule files`);
    for (const problem of error.problems) console.error(`  ${formatProblem(problem)}`);
    process.exitCode = 1;
    return;
  }
  const { silenceReportOf, silenceProblems } = await import('./knowledge-base/silence.js');
  const silence = silenceReportOf(path.resolve(args.rules), result.knowledgeBase);
  const unshown = silenceProblems(silence, path.basename(path.resolve(args.rules)));
  if (unshown.length > 0) {
    console.error(`Knowledge base NOT built: ${unshown.length} way(s) a safety rule falls silent that no case shows`);
    for (const problem of unshown) console.error(`  ${formatProblem(problem)}`);
    process.exitCode = 1;
    return;
  }
  mkdirSync(outDir, { recursive: true });
  writeIfChanged(path.join(outDir, 'knowledge-base.json'), `${JSON.stringify(result.knowledgeBase, null, 1)}\n`);
  // The catalogue describes the repository's rules, never a copy under test.
  if (path.resolve(args.rules) === path.join(root, 'rules')) {
    mkdirSync(path.join(root, 'docs'), { recursive: true });
    writeIfChanged(path.join(root, CATALOGUE), catalogue(result.knowledgeBase, readCaseFiles(path.resolve(args.rules)), silence));
    writeIfChanged(
      path.join(root, 'README.md'),
      await withGeneratedBlock('README.md', 'unconfirmed', [unconfirmedSummary(result.knowledgeBase)]),
    );
    writeIfChanged(
      path.join(root, 'docs/fhir-codes.md'),
      await withGeneratedBlock('docs/fhir-codes.md', 'value-set codes', valueSetCodeLines(result.knowledgeBase)),
    );
  }
  // The FHIR mapping's tables come from the repository's rules, never from a copy under test.
  if (path.resolve(args.rules) === path.join(root, 'rules')) {
    const { writeFhirTables } = await import('./fhir-tables.js');
    writeFhirTables(root, result.knowledgeBase.rules);
  }
  if (ofTheRepository) writeStamp(root, GENERATE_STAMP, sourcesDigest(root, ALSO_STAMPED));
  const { id, version, digest, rules } = result.knowledgeBase;
  console.error(`knowledge base ${id} ${version}: ${rules.length} rules checked and embedded (${digest})`);
}

await main();
