/**
 * Run by scripts/bench/memory.ts in a fresh `node --expose-gc` process, so that nothing else the
 * bench did is in its heap: warms evaluate() up, then prints, as JSON on stdout, how much resident
 * memory and heap in use grew over `calls` evaluate() calls on the fact mix, each read after a full
 * garbage collection.
 */
import path from 'node:path';
import { loadSamples } from './sample-events.js';

// The product as built for embedding, as the bench measures it.
const { evaluate } = (await import(
  path.resolve(import.meta.dirname, '../../dist/lib/index.mjs')
)) as typeof import('../../functions/core/index.js');

// Long enough for V8 to grow the young generation to its configured size, so that RSS growth
// measured afterwards is what the calls keep, not the heap settling into its working size.
const WARMUP_CALLS = 30_000;

const calls = Number(process.argv[2]);
const gc = (globalThis as { gc?: () => void }).gc;
if (!Number.isInteger(calls) || calls <= 0 || gc === undefined) {
  process.stderr.write('usage: node --expose-gc --import tsx scripts/bench/memory-child.ts <calls>\n');
  process.exit(2);
}

const facts = loadSamples(path.resolve(import.meta.dirname, '../..')).map((sample) => sample.facts);
const collected = () => {
  gc();
  gc();
  return process.memoryUsage();
};

for (let i = 0; i < WARMUP_CALLS; i++) await evaluate(facts[i % facts.length]!);
const before = collected();
for (let i = 0; i < calls; i++) await evaluate(facts[i % facts.length]!);
const after = collected();

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 100) / 100;
process.stdout.write(
  `${JSON.stringify({ rssGrowthMb: mb(after.rss - before.rss), heapUsedGrowthMb: mb(after.heapUsed - before.heapUsed) })}\n`,
);
