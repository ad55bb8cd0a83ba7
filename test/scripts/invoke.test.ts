import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { functionFor } from '../../scripts/lambda-functions.js';
import { LOCAL_EHR_FHIR_SERVER } from '../../scripts/local-ehr.js';
import { eventNames, loadEvent } from '../support/events.js';
import { scriptCommand } from '../support/npm-script.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

const options = { cwd: ROOT, encoding: 'utf8', env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'INFO' } } as const;

/** Runs `npm run invoke -- <event>` exactly as a user (or a vignette runner) would: npm, preinvoke's generate, tsx. */
function npmInvoke(event: string) {
  return spawnSync('npm', ['run', 'invoke', '--', event], options);
}

/** Runs what `npm run invoke -- <event>` runs, without npm and its generate in front (test/support/npm-script.ts). */
function invoke(event: string) {
  const [command, args] = scriptCommand('invoke', [event]);
  return spawnSync(command, args, options);
}

describe('npm run invoke', () => {
  it('prints the Lambda result alone on stdout, logs on stderr, and exits 0', () => {
    const run = npmInvoke('events/evaluate.kit-d816v-positive.json');

    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout) as { statusCode: number; headers: object; body: string };
    expect(Object.keys(result).sort()).toEqual(['body', 'headers', 'statusCode']);
    expect(result.statusCode).toBe(200);
    expect((JSON.parse(result.body) as { findings: { ruleId: string }[] }).findings[0]?.ruleId).toBe('kit-d816v-caveat');
    expect(run.stderr).toContain('"message":"evaluated"');
  });

  it('exits 0 with the 4xx result for an invalid body', () => {
    const run = invoke('events/evaluate.invalid-misspelt-field.json');

    expect(run.status).toBe(0);
    expect((JSON.parse(run.stdout) as { statusCode: number }).statusCode).toBe(400);
  });

  it('exits 2 with a message on stderr when the event cannot be read', () => {
    const run = invoke('events/no-such-event.json');

    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('cannot read events/no-such-event.json');
  });

  it('runs a CDS Hooks event with JWT verification on, signed by a stand-in EHR', () => {
    const run = invoke('events/cds-hooks.order-sign-fip1l1-pdgfra.json');

    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout) as { statusCode: number; body: string };
    expect(result.statusCode).toBe(200);
    expect((JSON.parse(result.body) as { cards: unknown[] }).cards.length).toBeGreaterThan(0);
  });

  it('answers the event without prefetch with 412, after trying the stand-in EHR FHIR server', () => {
    const run = invoke('events/cds-hooks.order-sign-missing-prefetch.json');

    expect((JSON.parse(run.stdout) as { statusCode: number }).statusCode).toBe(412);
    expect(run.stderr).toContain('"reasons":{"patient":"network"');
  });

  it('has every sample event that names a FHIR server on this machine name the stand-in EHR one', () => {
    const loopbackServers = eventNames('cds-hooks.')
      .map((name) => loadEvent<{ body?: string }>(name).body)
      .map((body) => (body ? (JSON.parse(body) as { fhirServer?: string }).fhirServer : undefined))
      .filter((fhirServer) => fhirServer?.startsWith('http://'));

    expect(new Set(loopbackServers)).toEqual(new Set([LOCAL_EHR_FHIR_SERVER]));
  });

  it('answers the forged-token event with 401, since verification stays on', () => {
    expect((JSON.parse(invoke('events/cds-hooks.order-sign-bad-jwt.json').stdout) as { statusCode: number }).statusCode).toBe(
      401,
    );
  });

  it('routes an event to the function that its method and path map to', () => {
    expect(functionFor(loadEvent('evaluate.kit-d816v-positive'))?.name).toBe('evaluate');
    expect(functionFor(loadEvent('evaluate.rest-api-v1-kit-d816v'))?.name).toBe('evaluate');
    expect(functionFor(loadEvent('cds-hooks.discovery'))?.name).toBe('cdsHooks');
    expect(functionFor(loadEvent('cds-hooks.feedback'))?.name).toBe('cdsHooks');
    expect(functionFor({ rawPath: '/nowhere', requestContext: { http: { method: 'GET' } } })).toBeUndefined();
  });
});
