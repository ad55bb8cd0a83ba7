import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createEhrJwtVerifier } from '../../functions/adapters/cds-hooks/auth/ehr-jwt.js';
import { tableReplayStore } from '../../functions/adapters/cds-hooks/auth/replay-cache.js';
import {
  counterName,
  dayKey,
  dayOf,
  expiryOf,
  indicatorName,
  reasonCounterName,
} from '../../functions/adapters/state/card-items.js';
import { cardRecorder, type ShownCard } from '../../functions/adapters/state/card-records.js';
import { daysBetween, readFeedbackReport } from '../../functions/adapters/state/feedback-report.js';
import { stateTable, type StateTable } from '../../functions/adapters/state/state-table.js';
import { median, round } from './stats.js';

/**
 * The bench's measures of the state table (issue "Feedback that governs the knowledge base"):
 * - on the hook's path, beside each other: the JWT check as deployed (ES384 signature, then the
 *   token id's conditional write to the table) and the recording of an order-sign answer's cards
 *   (a conditional write per card, then the day's counters);
 * - the committee's report over a year of counters at a hospital's scale (2 million cards over
 *   365 days and every rule), against the same year with 2,000 cards and against one day.
 * The table is a local DynamoDB (dynalite) in a child process on 127.0.0.1: the figures are
 * this machine's, and the ratios are what they are for.
 */

const ISSUER = 'urn:imatinib-sm-cds:bench-ehr';
const AUDIENCE = 'https://cds.example.org/cds-services/imatinib-sm-order-sign';
const YEAR_DAYS = 365;
export const HOSPITAL_CARDS = 2_000_000;
const LIGHT_CARDS = 2_000;
const REPORT_RUNS = 9;
const REASONS = ['benefit-outweighs-risk', 'already-addressed', 'data-not-current', 'patient-declined', 'none'];

export interface BenchAnswer {
  call: string;
  cards: ShownCard[];
}

export interface BenchState {
  /** Verifies one fresh token, made by `nextToken` outside the timed call. */
  jwtCheck(authorization: string): Promise<unknown>;
  nextToken(): Promise<string>;
  /** Records one call's answer; `nextCards` makes `answer`'s cards those of a new call, outside the timed call. */
  recordCards(answer: BenchAnswer): Promise<{ recorded: number }>;
  nextCards(answer: readonly ShownCard[]): BenchAnswer;
  /** p50 of the report over the seeded year, with 2 million and with 2,000 cards, and over one day. */
  measureReport(): Promise<{ yearMs: number; lightYearMs: number; dayMs: number }>;
  stop(): void;
}

/** A small deterministic generator (mulberry32), so every run seeds the same year. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The first day of the year of days that ends with `lastDay`. */
const yearEnding = (lastDay: string) =>
  new Date(Date.parse(`${lastDay}T00:00:00Z`) - (YEAR_DAYS - 1) * 86_400_000).toISOString().slice(0, 10);

/** `total` split over `parts` at random, summing to `total` exactly. */
function split(total: number, parts: number, next: () => number): number[] {
  const weights = Array.from({ length: parts }, () => 0.2 + next());
  const sum = weights.reduce((a, b) => a + b, 0);
  const shares = weights.map((w) => Math.floor((total * w) / sum));
  shares[0]! += total - shares.reduce((a, b) => a + b, 0);
  return shares;
}

/**
 * A year of day counters ending `lastDay`: `cards` shown over the days and `rules`, each rule's
 * cards accepted, overridden (for a reason) or left without response at random, as the function
 * would have counted them. Returns the number of cards written, which is `cards`.
 */
async function seedYear(
  table: StateTable,
  rules: readonly string[],
  cards: number,
  lastDay: string,
  version: string,
): Promise<number> {
  const next = random(cards);
  const days = daysBetween(yearEnding(lastDay), lastDay);
  const perDay = split(cards, days.length, next);
  let written = 0;
  for (const [i, day] of days.entries()) {
    const counts: Record<string, number> = {};
    const values: Record<string, string> = {};
    split(perDay[i]!, rules.length, next).forEach((shown, r) => {
      const rule = rules[r]!;
      const overridden = Math.floor(shown * next() * 0.8);
      const accepted = Math.floor((shown - overridden) * next());
      counts[counterName('shown', rule, version)] = shown;
      counts[counterName('overridden', rule, version)] = overridden;
      counts[counterName('accepted', rule, version)] = accepted;
      counts[counterName('suggestions', rule, version)] = Math.floor(accepted / 2);
      split(overridden, REASONS.length, next).forEach((n, k) => (counts[reasonCounterName(rule, version, REASONS[k]!)] = n));
      values[indicatorName(rule, version)] = 'warning';
      written += shown;
    });
    await table.add(dayKey(day), expiryOf(day), counts, values);
  }
  return written;
}

/** Starts the child's DynamoDB with the tables named, and returns the environment that reaches it. */
async function startChild(root: string, tables: string[]): Promise<{ env: Record<string, string>; stop(): void }> {
  const child = spawn(path.join(root, 'node_modules/.bin/tsx'), [path.join(root, 'scripts/bench/dynamo-child.ts'), ...tables], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  const [line] = await Promise.race([
    (async () => {
      for await (const first of createInterface({ input: child.stdout })) return [first];
      throw new Error('the bench DynamoDB exited before it was ready');
    })(),
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('the bench DynamoDB did not start within 30 s')), 30_000),
    ),
  ]);
  return {
    env: JSON.parse(line!) as Record<string, string>,
    stop: () => {
      if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    },
  };
}

/** The state table set up for the bench: `rules` are the knowledge base's rule ids, `version` its version. */
export async function benchState(
  root: string,
  rules: readonly string[],
  version: string,
  progress: (m: string) => void,
): Promise<BenchState> {
  const names = { hook: 'bench-hook-state', year: 'bench-year-state', light: 'bench-light-state' };
  const child = await startChild(root, [names.hook, names.year, names.light]);
  // The SDK reads the endpoint and region from the environment when a client is made.
  Object.assign(process.env, child.env);
  const [hook, year, light] = [stateTable(names.hook), stateTable(names.year), stateTable(names.light)];

  const { publicKey, privateKey } = await generateKeyPair('ES384');
  const kid = randomUUID();
  const verifier = createEhrJwtVerifier(
    {
      verification: 'on',
      trustedIssuers: [
        { iss: ISSUER, fhirServers: [], jwks: { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES384' }] } },
      ],
    },
    { replays: tableReplayStore(hook) },
  );
  const recorder = cardRecorder(hook);
  const today = dayOf(new Date());
  progress(
    `seeding a year of counters: ${HOSPITAL_CARDS.toLocaleString('en-US')} and ${LIGHT_CARDS.toLocaleString('en-US')} cards over ${rules.length} rules`,
  );
  const seeded = [
    await seedYear(year, rules, HOSPITAL_CARDS, today, version),
    await seedYear(light, rules, LIGHT_CARDS, today, version),
  ];
  if (seeded[0] !== HOSPITAL_CARDS || seeded[1] !== LIGHT_CARDS) throw new Error(`seeded ${seeded.join(' and ')} cards`);
  let calls = 0;

  return {
    jwtCheck: (authorization) => verifier.verify(authorization, AUDIENCE),
    async nextToken() {
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: 'ES384', typ: 'JWT', kid })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('5m')
        .setJti(randomUUID())
        .sign(privateKey);
      return `Bearer ${token}`;
    },
    recordCards: ({ call, cards: shown }) =>
      recorder.recordShown({
        call,
        caller: ISSUER,
        service: 'imatinib-sm-order-sign',
        knowledgeBaseVersion: version,
        cards: shown,
        now: new Date(),
      }),
    nextCards(answer) {
      const call = `bench-call-${calls++}`;
      return { call, cards: answer.map((card, i) => ({ ...card, uuid: `${call}-${i}` })) };
    },
    async measureReport() {
      const first = yearEnding(today);
      const timed = async (table: StateTable, since: string) => {
        const started = process.hrtime.bigint();
        const report = await readFeedbackReport(table, since, today);
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        return { ms, shown: report.rules.reduce((n, r) => n + r.shown, 0) };
      };
      const runs = { year: [] as number[], light: [] as number[], day: [] as number[] };
      for (let i = 0; i < REPORT_RUNS; i++) {
        const [y, l, d] = [await timed(year, first), await timed(light, first), await timed(year, today)];
        if (y.shown !== HOSPITAL_CARDS || l.shown !== LIGHT_CARDS)
          throw new Error(`the report counted ${y.shown} and ${l.shown} cards`);
        runs.year.push(y.ms);
        runs.light.push(l.ms);
        runs.day.push(d.ms);
      }
      return {
        yearMs: round(median(runs.year), 2),
        lightYearMs: round(median(runs.light), 2),
        dayMs: round(median(runs.day), 2),
      };
    },
    stop: child.stop,
  };
}
