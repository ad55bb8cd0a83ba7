/**
 * `npm run bench` (builds first): what evaluating the knowledge base costs, side by side, in one run
 * on the same mix of facts: the JSON bodies of the valid sample events in events/.
 *
 * - stock: json-rules-engine as it comes, on the rule files whole (scripts/bench/stock-engine.ts);
 * - evaluate: the product, `evaluate()` as built for embedding (dist/lib/index.mjs, what
 *   `import { evaluate } from 'imatinib-sm-cds'` loads);
 * - reference: the reference interpreter of the rule JSON (test/reference/interpreter.ts), written
 *   apart from the core, synchronous and with no engine: what evaluating these rules costs when
 *   only their logic runs;
 * - handler: the deployed Lambda bundle dist/lambda/evaluate.cjs on the sample events themselves;
 * - cdsOrderSign: a signed (ES384) order-sign call through dist/lambda/cds-hooks.cjs with EHR JWT
 *   verification on (scripts/bench/cds-order-sign.ts), the token signed outside the timed call;
 * - es384Verify: the floor under it, one ES384 verification of the same kind of token by jose's
 *   jwtVerify with a prepared public key;
 * - jwtCheck and recordCards: on the hook's path with a state table (a local DynamoDB in a child
 *   process, scripts/bench/feedback.ts), the JWT check as deployed (signature, then the token id's
 *   conditional write) beside the recording of the sample order-sign answer's cards;
 * plus each Lambda bundle's cold start against a bare `node`, split into node's start, the load of
 * the bundle, the first and the second call (scripts/bench/cold-start.ts), the evaluate bundle's size, resident memory growth over
 * 100,000 evaluate() calls (in a fresh process, scripts/bench/memory.ts), the committee's feedback
 * report over a year of counters of 2 million cards, against 2,000 cards and one day, and the time
 * of one large CDS Hooks call: 100 imatinib drafts over a prefetch of 10,000 Observations
 * (scripts/bench/cds-many-drafts.ts; target 3 s).
 *
 * Timings are per call (process.hrtime.bigint) after a warm-up, cycling through the mix; the
 * reference interpreter is timed in batches of 1,000 calls, since one call takes a few microseconds.
 * The contestants take turns in short slices over several rounds, in a rotating order, so that
 * they share the machine's conditions. Garbage collection is left to V8 while timing (a forced full
 * collection before each slice shrinks the young generation and made the p99 of every contestant
 * worse): p99 is mostly the scavenges a contestant's own allocations cause. ops/s is sequential
 * throughput on one core: calls / time spent in them.
 *
 * Then the TARGETS of the performance issue, each with its figure from this run, met or NOT MET.
 *
 * `--json` prints one JSON object on stdout and nothing else; progress goes to stderr.
 * `--only cold` (or BENCH_ONLY=cold) measures the cold starts and the bundle size alone (about 30 s);
 * `--only profile` (or BENCH_ONLY=profile) prints where each function's cold start spends its time,
 * from `node --cpu-prof` (scripts/bench/profile.ts).
 */
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { Context } from 'aws-lambda';
import type { Card } from '../functions/adapters/cds-hooks/cards.js';
import { MISSING_FACTS_TOPIC } from '../functions/adapters/state/card-items.js';
import type { ShownCard } from '../functions/adapters/state/card-records.js';
import type { PatientFacts } from '../functions/core/index.js';
import { measureColdStart, type ColdFunction, type ColdStart } from './bench/cold-start.js';
import { loadReference } from '../test/reference/interpreter.js';
import { measureManyDrafts, type ManyDrafts } from './bench/cds-many-drafts.js';
import { cdsOrderSign, signedOrderSign, type SignedOrderSign } from './bench/cds-order-sign.js';
import { benchState, HOSPITAL_CARDS, type BenchAnswer, type BenchState } from './bench/feedback.js';
import { measureMemoryGrowth, type MemoryGrowth } from './bench/memory.js';
import { profileColdStart, profileTable } from './bench/profile.js';
import { loadSamples, type Sample, type SampleEvent } from './bench/sample-events.js';
import { Samples, round } from './bench/stats.js';
import { localLambdaContext } from './lambda-functions.js';
import { createStockEngine, readRuleFiles, readSharedConditions, readValueSets, stockFactsOf } from './bench/stock-engine.js';

// The bundle's Powertools logger reads its level when the bundle is loaded: silence it first.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const ROOT = path.resolve(import.meta.dirname, '..');
const BUNDLE = path.join(ROOT, 'dist/lambda/evaluate.cjs');
const CDS_BUNDLE = path.join(ROOT, 'dist/lambda/cds-hooks.cjs');
const LIBRARY = path.join(ROOT, 'dist/lib/index.mjs');
const { evaluate } = (await import(LIBRARY)) as typeof import('../functions/core/index.js');
const reference = loadReference(path.join(ROOT, 'rules'));
/** The signed event of the next cdsOrderSign call, made (and signed) outside the timed call. */
const pending: SampleEvent[] = [];
/** The next recordCards' cards, made outside the timed call. */
const pendingCards: BenchAnswer[] = [];
const JSON_OUTPUT = process.argv.includes('--json');

/** `--only cold`, `--only=cold` or BENCH_ONLY=cold; likewise `profile`. */
function onlyPart(): 'all' | 'cold' | 'profile' {
  const at = process.argv.indexOf('--only');
  const flag = at >= 0 ? process.argv[at + 1] : process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  const value = (flag ?? process.env.BENCH_ONLY ?? 'all').trim();
  if (value === 'all' || value === '') return 'all';
  if (value === 'cold' || value === 'cold-start') return 'cold';
  if (value === 'profile') return 'profile';
  throw new Error(`--only / BENCH_ONLY must be cold (or cold-start) or profile, not "${value}"`);
}

const WARMUP_MS = 500;
const ROUNDS = 6;
const SLICE_MS = 500;
const REFERENCE_SLICE_MS = 150;
const REFERENCE_BATCH = 1_000;
const RSS_CALLS = 100_000;
const COLD_START_RUNS = 21;

/** The targets of issue 20 ("Measure it properly first"). */
const TARGET = {
  evaluateColdStartMs: 25,
  cdsHooksColdStartMs: 60,
  /** 160 KiB. */
  evaluateBundleBytes: 160 * 1024,
  evaluateVsStockSpeedup: 5,
  cdsOrderSignOverEs384: 2,
} as const;

// stdout carries the result alone: anything else that writes there goes to stderr.
const writeResult = process.stdout.write.bind(process.stdout);
process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
const progress = (message: string) => process.stderr.write(`bench: ${message}\n`);

type ContestantName =
  'stock' | 'evaluate' | 'reference' | 'handler' | 'cdsOrderSign' | 'es384Verify' | 'jwtCheck' | 'recordCards';
type LambdaHandler = (event: unknown, context: Context) => Promise<{ statusCode: number; body: string }>;

interface Contestant {
  name: ContestantName;
  samples: Samples;
  /** Calls the contestant for about `ms` milliseconds; records the timings when `record`. */
  slice(ms: number, record: boolean): Promise<void>;
}

// --- The handler's invocation ----------------------------------------------------------------------

const lambdaContext = localLambdaContext('imatinib-sm-cds-bench-evaluate', 'bench');

/** A fresh copy of the parts of an event the middlewares write to, made outside the timed call. */
const freshEvent = (event: SampleEvent): SampleEvent => ({ ...event, headers: { ...event.headers } });

// --- Contestants ---------------------------------------------------------------------------------

const now = () => process.hrtime.bigint();

function perCall<T>(
  name: ContestantName,
  inputs: readonly T[],
  call: (input: T) => Promise<unknown>,
  prepare: (input: T) => T | Promise<T> = (x) => x,
): Contestant {
  const samples = new Samples(1 << 16);
  let next = 0;
  return {
    name,
    samples,
    async slice(ms, record) {
      const deadline = now() + BigInt(ms * 1e6);
      let calls = 0;
      let spent = 0n;
      while (now() < deadline) {
        const input = await prepare(inputs[next++ % inputs.length]!);
        const started = now();
        await call(input);
        const ns = now() - started;
        if (record) samples.add(Number(ns) / 1e3);
        calls++;
        spent += ns;
      }
      if (record) {
        samples.calls += calls;
        samples.elapsedNs += spent;
      }
    },
  };
}

/**
 * A contestant that checks one fresh token per call, signed outside the timed call. The check throws
 * on a refusal, which stops the bench: only accepted tokens are timed.
 */
function perToken(name: ContestantName, sign: () => Promise<string>, check: (token: string) => Promise<unknown>): Contestant {
  const tokens: string[] = [];
  return perCall(
    name,
    [null],
    () => check(tokens.shift()!),
    async (input) => {
      tokens.push(await sign());
      return input;
    },
  );
}

/** Keeps the reference results alive, so the optimiser cannot drop the calls. */
let sink = 0;

function batched(name: ContestantName, inputs: readonly PatientFacts[], call: (facts: PatientFacts) => string[]): Contestant {
  const samples = new Samples(1 << 14);
  let next = 0;
  return {
    name,
    samples,
    async slice(ms, record) {
      const deadline = now() + BigInt(ms * 1e6);
      while (now() < deadline) {
        const started = now();
        for (let i = 0; i < REFERENCE_BATCH; i++) sink += call(inputs[(next + i) % inputs.length]!).length;
        const ns = now() - started;
        next += REFERENCE_BATCH;
        if (record) {
          samples.add(Number(ns) / 1e3 / REFERENCE_BATCH);
          samples.calls += REFERENCE_BATCH;
          samples.elapsedNs += ns;
        }
      }
    },
  };
}

// --- Checks before timing anything ---------------------------------------------------------------

const sameIds = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((id, i) => id === b[i]);

async function checkContestants(
  mix: readonly Sample[],
  handler: LambdaHandler,
  stock: ReturnType<typeof createStockEngine>,
): Promise<{ evaluateFindings: number; stockEvents: number; stockDiffers: number }> {
  let evaluateFindings = 0;
  let stockEvents = 0;
  let stockDiffers = 0;
  for (const { name, event, facts } of mix) {
    const fired = (await evaluate(facts)).findings.map((f) => f.ruleId);
    const referenceFired = reference.firedRuleIds(facts);
    if (!sameIds(fired, referenceFired)) {
      throw new Error(
        `${name}: evaluate() fires [${fired.join(', ')}] but the reference interpreter fires [${referenceFired.join(', ')}]`,
      );
    }
    const result = await handler(freshEvent(event), lambdaContext);
    const answered =
      result.statusCode === 200
        ? (JSON.parse(result.body) as { findings: { ruleId: string }[] }).findings.map((f) => f.ruleId)
        : [];
    if (result.statusCode !== 200 || !sameIds(answered, fired)) {
      throw new Error(
        `${name}: the handler answered ${result.statusCode} with [${answered.join(', ')}], evaluate() fires [${fired.join(', ')}]`,
      );
    }
    const stockFired = (await stock.run(stockFactsOf(facts))).events.map((e) => e.type);
    evaluateFindings += fired.length;
    stockEvents += stockFired.length;
    if (!sameIds([...stockFired].sort(), [...fired].sort())) stockDiffers++;
  }
  return { evaluateFindings, stockEvents, stockDiffers };
}

// --- Report ---------------------------------------------------------------------------------------

type Summary = ReturnType<Samples['summary']>;

/** One target of the performance issue, with its figure from this run (null: not measured in this run). */
interface Target {
  figure: number | null;
  unit: string;
  limit: number;
  /** 'at most' or 'at least' the limit. */
  bound: 'at most' | 'at least';
  met: boolean | null;
  definition: string;
}

/** What every run reports, `--only cold` included. */
interface ColdReport {
  only: 'all' | 'cold';
  coldStart: ColdStart;
  bundleBytes: number;
  targets: Record<keyof typeof TARGET, Target>;
  machine: Record<string, string | number>;
}

interface Report extends ColdReport {
  evaluate: Summary;
  stock: Summary;
  reference: Summary;
  handler: Summary;
  cdsOrderSign: Summary;
  es384Verify: Summary;
  jwtCheck: Summary;
  recordCards: Summary;
  feedbackReport: { cards: number; yearMs: number; lightYearMs: number; dayMs: number };
  cdsManyDrafts: ManyDrafts;
  rssGrowthMb: number;
  ratios: Record<string, number>;
}

interface Notes {
  mix: number;
  stockEvents: number;
  evaluateFindings: number;
  stockDiffers: number;
  memory: MemoryGrowth;
}

function target(figure: number | null, unit: string, bound: Target['bound'], limit: number, definition: string): Target {
  const met = figure === null ? null : bound === 'at most' ? figure <= limit : figure >= limit;
  return { figure, unit, limit, bound, met, definition };
}

function targets(
  coldStart: ColdStart,
  bundleBytes: number,
  ratios: { evaluateVsStockSpeedup: number; cdsOrderSignOverEs384: number } | null,
): Record<keyof typeof TARGET, Target> {
  const over =
    'median wall time (spawn to exit) of `node -e` requiring the bundle and making one call, minus that of `node -e ""`';
  return {
    evaluateColdStartMs: target(
      coldStart.evaluate.overBareNodeMs,
      'ms',
      'at most',
      TARGET.evaluateColdStartMs,
      `/evaluate load plus first call over bare node: ${over} (dist/lambda/evaluate.cjs, a sample /evaluate event)`,
    ),
    cdsHooksColdStartMs: target(
      coldStart.cdsHooks.overBareNodeMs,
      'ms',
      'at most',
      TARGET.cdsHooksColdStartMs,
      `CDS Hooks load plus first call over bare node: ${over} (dist/lambda/cds-hooks.cjs, the signed ES384 order-sign with its prefetch, JWT verification on)`,
    ),
    evaluateBundleBytes: target(
      bundleBytes,
      'bytes',
      'at most',
      TARGET.evaluateBundleBytes,
      'size of dist/lambda/evaluate.cjs, at most 160 KiB (163,840 bytes)',
    ),
    evaluateVsStockSpeedup: target(
      ratios?.evaluateVsStockSpeedup ?? null,
      'x',
      'at least',
      TARGET.evaluateVsStockSpeedup,
      'stock json-rules-engine p50 / evaluate() p50, interleaved on the sample mix',
    ),
    cdsOrderSignOverEs384: target(
      ratios?.cdsOrderSignOverEs384 ?? null,
      'x',
      'at most',
      TARGET.cdsOrderSignOverEs384,
      'signed order-sign p50 (cdsOrderSign) / one ES384 jwtVerify p50 (es384Verify), interleaved',
    ),
  };
}

const fmt = (n: number, decimals = 1) =>
  n.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });

function coldTable(report: ColdReport): string {
  const { coldStart: c, targets: t } = report;
  const row = (label: string, a: number, b: number) => `    ${label.padEnd(50)}${fmt(a).padStart(10)}${fmt(b).padStart(11)}`;
  const both = (label: string, key: Exclude<keyof ColdStart['evaluate'], 'withCodeCache'>) =>
    row(label, c.evaluate[key], c.cdsHooks[key]);
  const cached = (label: string, key: 'loadMs' | 'firstCallMs' | 'overBareNodeMs') =>
    row(label, c.evaluate.withCodeCache[key], c.cdsHooks.withCodeCache[key]);
  const figure = (x: Target) => {
    if (x.figure === null) return 'not measured (--only cold)';
    if (x.unit === 'ms') return `+${fmt(x.figure)} ms`;
    if (x.unit === 'bytes') return `${fmt(x.figure / 1024)} KiB (${fmt(x.figure, 0)} bytes)`;
    return `${fmt(x.figure, 2)}x`;
  };
  const limit = (x: Target) =>
    `${x.bound === 'at most' ? '<=' : '>='} ${x.unit === 'ms' ? `+${x.limit} ms` : x.unit === 'bytes' ? `${x.limit / 1024} KiB` : `${x.limit}x`}`;
  const verdict = (x: Target) => (x.met === null ? '-' : x.met ? 'met' : 'NOT MET');
  const targetRow = (label: string, x: Target) =>
    `    ${label.padEnd(52)}${figure(x).padEnd(30)}${limit(x).padEnd(15)}${verdict(x)}`;
  return [
    `  cold start, medians of ${c.runs} alternated runs (ms)${''.padEnd(11)}evaluate  cds-hooks`,
    both('node start-up, in the child (to the first line)', 'nodeMs'),
    both('load: require(bundle), handler init included', 'loadMs'),
    both('first call', 'firstCallMs'),
    both('second call', 'secondCallMs'),
    both('first call - second call (lazy first-call init)', 'firstCallExtraMs'),
    both('wall, spawn to exit: require + first call', 'wallMs'),
    row('wall, spawn to exit: bare node -e ""', c.bareNode.wallMs, c.bareNode.wallMs),
    both('over bare node: load + first call (wall)', 'overBareNodeMs'),
    `  not shipped: with a V8 code cache of this same Node (vm.Script cachedData; ${c.evaluate.withCodeCache.rejected + c.cdsHooks.withCodeCache.rejected} refused)`,
    cached('load, compiled with the code cache', 'loadMs'),
    cached('first call', 'firstCallMs'),
    cached('over bare node: load + first call (wall)', 'overBareNodeMs'),
    '',
    '  TARGETS (issue 20), from this run',
    targetRow('/evaluate: load + first call over bare node', t.evaluateColdStartMs),
    targetRow('CDS Hooks: load + signed first call over bare node', t.cdsHooksColdStartMs),
    targetRow('dist/lambda/evaluate.cjs', t.evaluateBundleBytes),
    targetRow('evaluate() vs stock, p50 speedup', t.evaluateVsStockSpeedup),
    targetRow('cdsOrderSign / es384Verify, p50', t.cdsOrderSignOverEs384),
    '',
  ].join('\n');
}

function table(report: Report, notes: Notes): string {
  const row = (name: string, s: Summary, decimals: number) =>
    `  ${name.padEnd(12)}${fmt(s.p50Us, decimals).padStart(11)}${fmt(s.p99Us, decimals).padStart(11)}${fmt(s.opsPerSec, 0).padStart(13)}`;
  const r = report.ratios;
  const m = report.machine;
  return [
    `imatinib-sm-cds bench: ${m.cpu}, ${m.cores} cores, Node ${m.node}`,
    `${notes.mix} sample bodies, ${ROUNDS} interleaved rounds per contestant`,
    '',
    `  ${'per call'.padEnd(12)}${'p50 (us)'.padStart(11)}${'p99 (us)'.padStart(11)}${'ops/s'.padStart(13)}`,
    row('stock', report.stock, 1),
    row('evaluate', report.evaluate, 1),
    row('reference', report.reference, 3),
    row('handler', report.handler, 1),
    row('cdsOrderSign', report.cdsOrderSign, 1),
    row('es384Verify', report.es384Verify, 1),
    row('jwtCheck', report.jwtCheck, 1),
    row('recordCards', report.recordCards, 1),
    '',
    `  feedback report, p50: a year of ${fmt(report.feedbackReport.cards, 0)} cards ${fmt(report.feedbackReport.yearMs)} ms, of 2,000 cards ${fmt(report.feedbackReport.lightYearMs)} ms, one day ${fmt(report.feedbackReport.dayMs)} ms`,
    `  bundle dist/lambda/evaluate.cjs: ${fmt(report.bundleBytes / 1024)} KiB (${fmt(report.bundleBytes, 0)} bytes)`,
    `  resident memory growth over ${fmt(RSS_CALLS, 0)} evaluate() calls: ${fmt(report.rssGrowthMb, 2)} MB`,
    `    (fresh node --expose-gc process; heap in use grew ${fmt(notes.memory.heapUsedGrowthMb, 2)} MB)`,
    `  one CDS Hooks call of ${report.cdsManyDrafts.drafts} imatinib drafts over ${fmt(report.cdsManyDrafts.observations, 0)} Observations (${fmt(report.cdsManyDrafts.bodyMb, 2)} MB):`,
    `    median ${fmt(report.cdsManyDrafts.medianMs, 0)} ms, slowest ${fmt(report.cdsManyDrafts.maxMs, 0)} ms of ${report.cdsManyDrafts.runs} (target 3,000 ms)`,
    '',
    '  ratios',
    `    evaluate vs stock, p50 speedup        ${fmt(r.evaluateVsStockSpeedup!, 2)}x`,
    `    handler / evaluate, p50               ${fmt(r.handlerOverEvaluate!, 2)}x`,
    `    evaluate / reference, p50             ${fmt(r.evaluateOverReference!, 0)}x`,
    `    cdsOrderSign / handler, p50           ${fmt(r.cdsOrderSignOverHandler!, 1)}x`,
    `    cdsOrderSign / es384Verify, p50       ${fmt(r.cdsOrderSignOverEs384!, 2)}x`,
    `    evaluate / es384Verify, p50           ${fmt(r.evaluateOverEs384!, 2)}x  (the rules alone, on the mix)`,
    `    recordCards / jwtCheck, p50           ${fmt(r.recordCardsOverJwtCheck!, 2)}x`,
    `    report, year of 2M / of 2k cards      ${fmt(r.feedbackReportHospitalOverLight!, 2)}x`,
    `    report, year / one day                ${fmt(r.feedbackReportYearOverDay!, 1)}x`,
    `    evaluate p99 / p50                    ${fmt(r.evaluateP99OverP50!, 2)}`,
    `    handler p99 / p50                     ${fmt(r.handlerP99OverP50!, 2)}`,
    '',
    `  on the mix, stock fires ${notes.stockEvents} rule events and evaluate() ${notes.evaluateFindings} findings; they differ for ${notes.stockDiffers} of ${notes.mix} bodies`,
    '  (stock has no three-valued reading, so an unknown fact can satisfy notEqual, and counts no outcomes).',
    '',
    coldTable(report),
  ].join('\n');
}

const machine = (): Record<string, string | number> => ({
  cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
  cores: os.cpus().length,
  node: process.version,
  platform: `${os.platform()} ${os.arch()}`,
});

/** The two Lambda functions as the cold-start children run them: a sample event, and the signed order-sign. */
function coldFunctions(event: SampleEvent, signed: SignedOrderSign): { evaluate: ColdFunction; cdsHooks: ColdFunction } {
  return {
    evaluate: { bundle: BUNDLE, events: () => Promise.resolve([event, event]) },
    // Each call its own token: the replay check refuses a token seen before.
    cdsHooks: { bundle: CDS_BUNDLE, events: async () => [await signed.nextEvent(), await signed.nextEvent()] },
  };
}

// --- Run ------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const only = onlyPart();
  for (const bundle of [BUNDLE, CDS_BUNDLE]) {
    if (!existsSync(bundle))
      throw new Error(`${path.relative(ROOT, bundle)} is missing: run \`npm run build\` (npm run bench does)`);
  }
  if (only === 'cold') return coldOnly();
  if (only === 'profile') return profile();
  const handler = (createRequire(import.meta.url)(BUNDLE) as { handler: LambdaHandler }).handler;
  const rulesDir = path.join(ROOT, 'rules');
  const stock = createStockEngine(readRuleFiles(rulesDir), readValueSets(rulesDir), readSharedConditions(rulesDir));
  const cds = await cdsOrderSign(ROOT);
  const signedCall = await cds.handler(await cds.nextEvent(), lambdaContext);
  if (signedCall.statusCode !== 200) throw new Error(`the signed order-sign call answered ${signedCall.statusCode}`);
  const answerCards = (JSON.parse(signedCall.body) as { cards: Card[] }).cards.map((card) => ({
    uuid: card.uuid,
    topic: card.source.topic?.code ?? MISSING_FACTS_TOPIC,
    indicator: card.indicator,
  }));
  const { knowledgeBase } = await evaluate({});
  const state = await benchState(
    ROOT,
    readRuleFiles(path.join(ROOT, 'rules')).map((rule) => String(rule.name)),
    knowledgeBase.version,
    progress,
  );
  try {
    await measure(handler, stock, cds, state, answerCards);
  } finally {
    state.stop();
  }
}

/** `--only cold`: the cold starts, the bundle size and the targets they decide. */
async function coldOnly(): Promise<void> {
  const signed = await signedOrderSign(ROOT);
  progress(`cold start, ${COLD_START_RUNS} rounds of bare node and each function's one- and two-call children`);
  const coldStart = await measureColdStart(coldFunctions(loadSamples(ROOT)[0]!.event, signed), signed.env, COLD_START_RUNS);
  const bundleBytes = statSync(BUNDLE).size;
  const report: ColdReport = {
    only: 'cold',
    coldStart,
    bundleBytes,
    targets: targets(coldStart, bundleBytes, null),
    machine: machine(),
  };
  const m = report.machine;
  writeResult(
    JSON_OUTPUT
      ? `${JSON.stringify(report)}\n`
      : `imatinib-sm-cds bench --only cold: ${m.cpu}, ${m.cores} cores, Node ${m.node}\n\n${coldTable(report)}`,
  );
}

/** `--only profile`: where each function's load and first call spend their time (node --cpu-prof). */
async function profile(): Promise<void> {
  const signed = await signedOrderSign(ROOT);
  const functions = coldFunctions(loadSamples(ROOT)[0]!.event, signed);
  progress('profiling the cold start of evaluate');
  const evaluateProfile = await profileColdStart(ROOT, functions.evaluate, signed.env);
  progress('profiling the cold start of cds-hooks');
  const cdsProfile = await profileColdStart(ROOT, functions.cdsHooks, signed.env);
  writeResult(
    JSON_OUTPUT
      ? `${JSON.stringify({ evaluate: evaluateProfile, cdsHooks: cdsProfile })}\n`
      : `${profileTable('dist/lambda/evaluate.cjs', evaluateProfile)}\n\n${profileTable('dist/lambda/cds-hooks.cjs', cdsProfile)}\n`,
  );
}

async function measure(
  handler: LambdaHandler,
  stock: ReturnType<typeof createStockEngine>,
  cds: Awaited<ReturnType<typeof cdsOrderSign>>,
  state: BenchState,
  answerCards: ShownCard[],
): Promise<void> {
  const mix = loadSamples(ROOT);
  const facts = mix.map((m) => m.facts);
  const notes = await checkContestants(mix, handler, stock);
  progress(`${mix.length} sample bodies: ${mix.map((m) => m.name.replace(/^evaluate\.|\.json$/g, '')).join(', ')}`);

  const contestants: Contestant[] = [
    perCall('stock', facts.map(stockFactsOf), (input) => stock.run(input)),
    perCall('evaluate', facts, (input) => evaluate(input)),
    batched('reference', facts, (input) => reference.firedRuleIds(input)),
    perCall(
      'handler',
      mix.map((m) => m.event),
      (event) => handler(event, lambdaContext),
      freshEvent,
    ),
    perCall(
      'cdsOrderSign',
      [null],
      // Every timed call must be answered, not refused (a 401 would be cheaper and mean nothing).
      async () => {
        const { statusCode } = await cds.handler(pending.shift()!, lambdaContext);
        if (statusCode !== 200) throw new Error(`a signed order-sign call answered ${statusCode}`);
      },
      async (input) => {
        pending.push(await cds.nextEvent());
        return input;
      },
    ),
    perToken('es384Verify', cds.nextToken, cds.verify),
    perToken('jwtCheck', state.nextToken, state.jwtCheck),
    perCall(
      'recordCards',
      [null],
      async () => {
        const { recorded } = await state.recordCards(pendingCards.shift()!);
        if (recorded !== answerCards.length) throw new Error(`recorded ${recorded} of ${answerCards.length} cards`);
      },
      (input) => {
        pendingCards.push(state.nextCards(answerCards));
        return input;
      },
    ),
  ];
  const sliceMs = (c: Contestant) => (c.name === 'reference' ? REFERENCE_SLICE_MS : SLICE_MS);

  progress('warming up');
  for (const contestant of contestants) await contestant.slice(WARMUP_MS, false);
  for (let round = 0; round < ROUNDS; round++) {
    progress(`round ${round + 1} of ${ROUNDS}`);
    for (let i = 0; i < contestants.length; i++) {
      const contestant = contestants[(round + i) % contestants.length]!;
      await contestant.slice(sliceMs(contestant), true);
    }
  }

  progress('the feedback report over a year of counters');
  const feedbackReport = { cards: HOSPITAL_CARDS, ...(await state.measureReport()) };
  progress(`resident memory over ${RSS_CALLS.toLocaleString('en-US')} evaluate() calls, in a fresh process`);
  const memory = measureMemoryGrowth(ROOT, RSS_CALLS);
  progress('one CDS Hooks call of 100 drafts over 10,000 Observations, 5 runs');
  const cdsManyDrafts = await measureManyDrafts(ROOT, cds, lambdaContext);
  progress(`cold start, ${COLD_START_RUNS} rounds of bare node and each function's one- and two-call children`);
  const coldStart = await measureColdStart(coldFunctions(mix[0]!.event, cds), cds.env, COLD_START_RUNS);
  const bundleBytes = statSync(BUNDLE).size;

  const summaries = Object.fromEntries(contestants.map((c) => [c.name, c.samples.summary()])) as Record<ContestantName, Summary>;
  const { stock: stockSummary, evaluate: evaluateSummary, reference: referenceSummary, handler: handlerSummary } = summaries;
  const { cdsOrderSign: cdsSummary, es384Verify: es384Summary, jwtCheck: jwtSummary, recordCards: recordSummary } = summaries;
  const evaluateVsStockSpeedup = round(stockSummary.p50Us / evaluateSummary.p50Us, 2);
  const cdsOrderSignOverEs384 = round(cdsSummary.p50Us / es384Summary.p50Us, 2);
  const report: Report = {
    only: 'all',
    ...summaries,
    feedbackReport,
    coldStart,
    cdsManyDrafts,
    bundleBytes,
    rssGrowthMb: memory.rssGrowthMb,
    ratios: {
      evaluateVsStockSpeedup,
      handlerOverEvaluate: round(handlerSummary.p50Us / evaluateSummary.p50Us, 2),
      evaluateOverReference: round(evaluateSummary.p50Us / referenceSummary.p50Us, 0),
      cdsOrderSignOverHandler: round(cdsSummary.p50Us / handlerSummary.p50Us, 1),
      cdsOrderSignOverEs384,
      evaluateOverEs384: round(evaluateSummary.p50Us / es384Summary.p50Us, 2),
      recordCardsOverJwtCheck: round(recordSummary.p50Us / jwtSummary.p50Us, 2),
      feedbackReportHospitalOverLight: round(feedbackReport.yearMs / feedbackReport.lightYearMs, 2),
      feedbackReportYearOverDay: round(feedbackReport.yearMs / feedbackReport.dayMs, 1),
      evaluateP99OverP50: round(evaluateSummary.p99Us / evaluateSummary.p50Us, 2),
      handlerP99OverP50: round(handlerSummary.p99Us / handlerSummary.p50Us, 2),
    },
    targets: targets(coldStart, bundleBytes, { evaluateVsStockSpeedup, cdsOrderSignOverEs384 }),
    machine: machine(),
  };
  if (sink < 0) progress('unreachable'); // reads the sink
  writeResult(JSON_OUTPUT ? `${JSON.stringify(report)}\n` : table(report, { mix: mix.length, ...notes, memory }));
}

try {
  await main();
} catch (error) {
  progress(`failed: ${(error as Error).message}`);
  process.exitCode = 1;
}
