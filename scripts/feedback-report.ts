/**
 * `npm run feedback-report -- [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--json]`: the CDS
 * committee's report (docs/cds-hooks.md, "Reading the feedback report"). Per rule and
 * knowledge-base version, the cards shown on those days (UTC; by default the last 30, today
 * included) and what became of them, read from the state table through the service's own settings
 * (CDS_STATE_TABLE, AWS_REGION, the AWS credentials, AWS_ENDPOINT_URL_DYNAMODB). Markdown for
 * people on stdout; with `--json` one JSON object instead. Exit 2 for bad arguments or settings, 1
 * when the table cannot be read.
 */
import { parseArgs } from 'node:util';
import {
  daysBetween,
  isDay,
  MAX_REPORT_DAYS,
  nothingKept,
  overrideRateText,
  readFeedbackReport,
  topReasonsText,
  type CardFates,
  type FeedbackReport,
} from '../functions/adapters/state/feedback-report.js';
import {
  STATE_TABLE_SETTING,
  stateTable,
  stateTableNameOf,
  StateStoreUnavailable,
} from '../functions/adapters/state/state-table.js';

const DEFAULT_DAYS = 30;

const stdoutWrite = process.stdout.write.bind(process.stdout);
// stdout carries the report alone (the SDK may print warnings).
process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;

function fail(message: string, code: number): never {
  process.stderr.write(`feedback-report: ${message}\n`);
  process.exit(code);
}

function daysOf(argv: string[]): { since: string; until: string; json: boolean } {
  let values: { since?: string; until?: string; json?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { since: { type: 'string' }, until: { type: 'string' }, json: { type: 'boolean' } },
      strict: true,
    }));
  } catch (error) {
    fail(`${(error as Error).message}. Usage: npm run feedback-report -- [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--json]`, 2);
  }
  const until = values.until ?? new Date().toISOString().slice(0, 10);
  const since =
    values.since ?? new Date(Date.parse(`${until}T00:00:00Z`) - (DEFAULT_DAYS - 1) * 86_400_000).toISOString().slice(0, 10);
  for (const [name, day] of [
    ['--since', since],
    ['--until', until],
  ] as const) {
    if (!isDay(day)) fail(`${name} must be a day written YYYY-MM-DD.`, 2);
  }
  if (since > until) fail('--since must not be after --until.', 2);
  if (daysBetween(since, until).length > MAX_REPORT_DAYS) fail(`a report reads at most ${MAX_REPORT_DAYS} days.`, 2);
  return { since, until, json: values.json ?? false };
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

function fatesCells(f: CardFates): string[] {
  return [
    String(f.shown),
    String(f.accepted),
    String(f.overridden),
    String(f.noResponse),
    overrideRateText(f),
    cell(topReasonsText(f.overrideReasons, Number.POSITIVE_INFINITY) || '–'),
  ];
}

/** Highest override rate first: the rules a committee looks at first. */
const byRate = (a: CardFates, b: CardFates) => (b.overrideRate ?? -1) - (a.overrideRate ?? -1) || b.shown - a.shown;

function markdown(report: FeedbackReport, table: string | undefined): string {
  const title = `# Card feedback, ${report.since} to ${report.until}`;
  if (!report.kept) {
    return `${title}\n\nNothing is kept: no state table is configured (${STATE_TABLE_SETTING} is not set), so the service records no cards and no feedback. Each feedback entry is only logged (card uuid, outcome, override reason code).\n`;
  }
  const lines = [
    title,
    '',
    `Cards shown on these days (UTC) and what became of them, per rule and knowledge-base version, from the state table \`${table}\`.`,
    'Override rate = overridden ÷ shown (the denominator in brackets). No response = shown − accepted − overridden: the EHR sent no feedback for those cards.',
    '',
  ];
  if (report.rules.length === 0 && report.missingFactsCard.length === 0)
    return `${[...lines, 'No card was shown on these days.'].join('\n')}\n`;
  lines.push(
    '| Rule | Knowledge base | Indicator | Shown | Accepted | Overridden | No response | Override rate | Override reasons |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |',
    ...[...report.rules]
      .sort((a, b) => byRate(a, b) || a.ruleId.localeCompare(b.ruleId))
      .map((r) => `| \`${r.ruleId}\` | ${r.knowledgeBaseVersion} | ${r.indicator ?? '–'} | ${fatesCells(r).join(' | ')} |`),
  );
  for (const f of report.missingFactsCard) {
    lines.push(
      '',
      `The card listing facts not on record (knowledge base ${f.knowledgeBaseVersion}): shown ${f.shown}, accepted ${f.accepted}, overridden ${f.overridden}, no response ${f.noResponse}.`,
    );
  }
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const { since, until, json } = daysOf(process.argv.slice(2));
  let name: string | undefined;
  try {
    name = stateTableNameOf(process.env);
  } catch (error) {
    fail((error as Error).message, 2);
  }
  let report: FeedbackReport;
  try {
    report = name === undefined ? nothingKept(since, until) : await readFeedbackReport(stateTable(name), since, until);
  } catch (error) {
    if (!(error instanceof StateStoreUnavailable)) throw error;
    fail(
      `the state table ${name} could not be read (${error.reason}); check AWS_REGION, the credentials and their permission to read it.`,
      1,
    );
  }
  stdoutWrite(json ? `${JSON.stringify(report)}\n` : markdown(report, name));
}

await main();
