import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { MISSING_FACTS_TOPIC } from '../../functions/adapters/state/card-items.js';
import { cardRecorder } from '../../functions/adapters/state/card-records.js';
import type { FeedbackReport } from '../../functions/adapters/state/feedback-report.js';
import { stateTable } from '../../functions/adapters/state/state-table.js';
import { useLocalDynamo } from '../support/local-dynamo.js';
import { scriptCommand } from '../support/npm-script.js';

/**
 * `npm run feedback-report` as the committee runs it, against a local DynamoDB (dynalite) on
 * 127.0.0.1 started by this file, holding cards and feedback recorded by the function's own
 * recorder on two days, under two knowledge-base versions.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const localDynamo = useLocalDynamo();

/**
 * The report's command line with `args`, in an environment with `env` (the local table's by
 * default): `npm run feedback-report` when `viaNpm`, as the committee runs it, else what that runs,
 * without npm in front (test/support/npm-script.ts).
 */
async function report(args: string[], env: Record<string, string> = localDynamo().env, viaNpm = false) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_') && name !== 'CDS_STATE_TABLE'),
  );
  const [command, commandArgs] = viaNpm
    ? ['npm', ['run', '--silent', 'feedback-report', '--', ...args]]
    : scriptCommand('feedback-report', args);
  try {
    const { stdout, stderr } = await run(command, commandArgs, {
      cwd: ROOT,
      env: { ...clean, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

const DAY_ONE = new Date('2026-03-02T09:00:00Z');
const DAY_TWO = new Date('2026-03-03T16:00:00Z');

beforeAll(async () => {
  const recorder = cardRecorder(stateTable(localDynamo().tableName));
  /** The call each card was shown in (one per answer). */
  const callOf = new Map<string, string>();
  const shown = (version: string, now: Date, cards: [string, string, string][]) => {
    const call = `call-${version}-${now.getTime()}`;
    for (const [uuid] of cards) callOf.set(uuid, call);
    return recorder.recordShown({
      call,
      caller: 'https://ehr.example.org',
      service: 'imatinib-sm-order-sign',
      knowledgeBaseVersion: version,
      cards: cards.map(([uuid, topic, indicator]) => ({ uuid, topic, indicator })),
      now,
    });
  };
  await shown('2.0.0', DAY_ONE, [
    ['c1', 'rule-a', 'warning'],
    ['c2', 'rule-b', 'critical'],
    ['c3', MISSING_FACTS_TOPIC, 'info'],
  ]);
  await shown('2.0.0', DAY_TWO, [
    ['c4', 'rule-a', 'warning'],
    ['c5', 'rule-a', 'warning'],
  ]);
  await shown('3.0.0', DAY_TWO, [['c6', 'rule-a', 'warning']]);
  const feedback = (card: string, outcome: 'accepted' | 'overridden', overrideReason?: string) =>
    recorder.recordFeedback({
      caller: 'https://ehr.example.org',
      service: 'imatinib-sm-order-sign',
      entries: [
        {
          card,
          call: callOf.get(card)!,
          outcome,
          ...(overrideReason ? { overrideReason } : {}),
          acceptedSuggestions: outcome === 'accepted' ? 1 : 0,
        },
      ],
      now: DAY_TWO,
    });
  await feedback('c1', 'overridden', 'benefit-outweighs-risk');
  await feedback('c4', 'overridden', 'benefit-outweighs-risk');
  await feedback('c5', 'overridden', 'none');
  await feedback('c2', 'accepted');
});

describe('npm run feedback-report', () => {
  it('prints, with --json, one object with the counts per rule and knowledge-base version', async () => {
    const { code, stdout } = await report(['--since', '2026-03-01', '--until', '2026-03-31', '--json'], localDynamo().env, true);

    expect(code).toBe(0);
    const parsed = JSON.parse(stdout) as FeedbackReport;
    expect(parsed).toMatchObject({ since: '2026-03-01', until: '2026-03-31', kept: true });
    expect(parsed.rules).toEqual([
      {
        ruleId: 'rule-a',
        indicator: 'warning',
        knowledgeBaseVersion: '2.0.0',
        shown: 3,
        accepted: 0,
        overridden: 3,
        noResponse: 0,
        overrideRate: 1,
        overrideRateDenominator: 3,
        overrideReasons: { 'benefit-outweighs-risk': 2, none: 1 },
        acceptedSuggestions: 0,
      },
      expect.objectContaining({ ruleId: 'rule-a', knowledgeBaseVersion: '3.0.0', shown: 1, noResponse: 1, overrideRate: 0 }),
      expect.objectContaining({ ruleId: 'rule-b', shown: 1, accepted: 1, acceptedSuggestions: 1, overrideReasons: {} }),
    ]);
    expect(parsed.missingFactsCard).toEqual([
      expect.objectContaining({ knowledgeBaseVersion: '2.0.0', shown: 1, noResponse: 1 }),
    ]);
  });

  it('counts only the days asked for: feedback counts on the day its card was shown', async () => {
    const { stdout } = await report(['--since', '2026-03-02', '--until', '2026-03-02', '--json']);

    const parsed = JSON.parse(stdout) as FeedbackReport;
    expect(parsed.rules.map((r) => [r.ruleId, r.shown, r.overridden, r.accepted])).toEqual([
      ['rule-a', 1, 1, 0],
      ['rule-b', 1, 0, 1],
    ]);
  });

  it('writes Markdown for people: a table, highest override rate first, each rate with its denominator', async () => {
    const { code, stdout } = await report(['--since', '2026-03-01', '--until', '2026-03-31']);

    expect(code).toBe(0);
    expect(stdout).toMatch(/^# Card feedback, 2026-03-01 to 2026-03-31\n/);
    const rows = stdout.split('\n').filter((line) => line.startsWith('| `'));
    expect(rows).toEqual([
      '| `rule-a` | 2.0.0 | warning | 3 | 0 | 3 | 0 | 100.0% (3 of 3) | benefit-outweighs-risk 2, none 1 |',
      '| `rule-a` | 3.0.0 | warning | 1 | 0 | 0 | 1 | 0.0% (0 of 1) | – |',
      '| `rule-b` | 2.0.0 | critical | 1 | 1 | 0 | 0 | 0.0% (0 of 1) | – |',
    ]);
    expect(stdout).toContain('facts not on record (knowledge base 2.0.0): shown 1');
  });

  it('says that nothing is kept when no state table is configured', async () => {
    const markdown = await report([], {});
    const json = await report(['--json'], {});

    expect(markdown.code).toBe(0);
    expect(markdown.stdout).toContain('Nothing is kept: no state table is configured (CDS_STATE_TABLE is not set)');
    expect(JSON.parse(json.stdout)).toMatchObject({ kept: false, rules: [] });
  });

  it.each([
    [['--since', '2026-02-30'], /--since must be a day written YYYY-MM-DD/],
    [['--since', '2026-03-05', '--until', '2026-03-01'], /--since must not be after --until/],
    [['--since', '2020-01-01', '--until', '2026-01-01'], /reads at most 800 days/],
    [['--every-rule'], /Unknown option '--every-rule'/],
  ])('refuses %j with exit code 2, saying why', async (args, message) => {
    const { code, stdout, stderr } = await report(args);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
  });

  it('exits 1, naming the cause, when the table cannot be read', async () => {
    const { code, stderr } = await report(['--json'], { ...localDynamo().env, CDS_STATE_TABLE: 'no-such-table' });

    expect(code).toBe(1);
    expect(stderr).toMatch(/the state table no-such-table could not be read \(ResourceNotFoundException\)/);
  });
});
