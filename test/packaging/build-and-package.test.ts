import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { lambdaFunctions } from '../../scripts/lambda-functions.js';
import { packageService, resourcesOfType, ROOT, type CfnTemplate } from '../support/serverless.js';

/** One build for the whole file: `npm run build` starts by emptying dist/. */
let template: CfnTemplate;

beforeAll(() => {
  template = packageService();
}, 120_000);

describe('serverless package (offline, no credentials)', () => {
  it('deploys one function per handler, on nodejs22.x, from its esbuild bundle', () => {
    const functions = resourcesOfType(template, 'AWS::Lambda::Function').map(([, r]) => r.Properties);

    expect(functions.map((f) => f.Handler).sort()).toEqual(lambdaFunctions.map((f) => `dist/lambda/${f.name}.handler`).sort());
    for (const fn of functions) expect(fn.Runtime).toBe('nodejs22.x');
  });

  it('routes /evaluate through the HTTP API with payload format 2.0', () => {
    const routes = resourcesOfType(template, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey as string);
    const integrations = resourcesOfType(template, 'AWS::ApiGatewayV2::Integration').map(([, r]) => r.Properties);

    expect(routes).toContain('ANY /evaluate');
    for (const integration of integrations) expect(integration.PayloadFormatVersion).toBe('2.0');
  });

  it('sets a log retention on every function log group', () => {
    const groups = resourcesOfType(template, 'AWS::Logs::LogGroup');

    expect(groups.length).toBe(lambdaFunctions.length);
    for (const [, group] of groups) expect(group.Properties.RetentionInDays).toBeGreaterThan(0);
  });
});

const script = (source: string) => `${source}
const result = await evaluate({ molecular: { kitD816V: 'detected' } });
console.log(JSON.stringify(result.findings.map((f) => f.ruleId)));`;

describe('the library build', () => {
  it('lets an ES module import { evaluate } from the package', () => {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script("import { evaluate } from 'imatinib-sm-cds';")], { cwd: ROOT, encoding: 'utf8' });

    expect(JSON.parse(out)).toEqual(['kit-d816v-caveat']);
  });

  it('lets CommonJS require it too', () => {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script("import { createRequire } from 'node:module'; const { evaluate } = createRequire(process.cwd() + '/')('imatinib-sm-cds');")], { cwd: ROOT, encoding: 'utf8' });

    expect(JSON.parse(out)).toEqual(['kit-d816v-caveat']);
  });

  it('ships type declarations for evaluate and the contract types', () => {
    const declarations = execFileSync('cat', ['dist/lib/types/index.d.ts'], { cwd: ROOT, encoding: 'utf8' });

    expect(declarations).toContain('evaluate');
    expect(declarations).toContain("export type * from './types.js'");
  });
});
