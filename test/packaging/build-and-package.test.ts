import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { functionFor, lambdaFunctions, type HttpEventLike } from '../../scripts/lambda-functions.js';
import { evaluate as evaluateSource } from '../../functions/core/index.js';
import { digestOf } from '../../scripts/knowledge-base/check-rules.js';
import { eventNames, loadEvent } from '../support/events.js';
import { patientFacts } from '../support/patient-facts-arbitrary.js';
import { PARTITION_KEY, TTL_ATTRIBUTE } from '../../functions/adapters/state/state-table.js';
import { packageService, resourcesOfType, ROOT, type CfnResource, type CfnTemplate } from '../support/serverless.js';

/** One `serverless package` for the whole file, of the run's one build (vitest.package.config.ts). */
let template: CfnTemplate;

beforeAll(() => {
  template = packageService();
}, 120_000);

describe('serverless package (offline, no credentials)', () => {
  it('deploys one function per handler, on nodejs22.x, from its esbuild bundle', () => {
    const functions = resourcesOfType(template, 'AWS::Lambda::Function').map(([, r]) => r.Properties);

    expect(functions.map((f) => f.Handler).sort()).toEqual(lambdaFunctions.map((f) => `dist/lambda/${f.file}.handler`).sort());
    for (const fn of functions) expect(fn.Runtime).toBe('nodejs22.x');
  });

  it('routes /evaluate through the HTTP API with payload format 2.0', () => {
    const routes = resourcesOfType(template, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey as string);
    const integrations = resourcesOfType(template, 'AWS::ApiGatewayV2::Integration').map(([, r]) => r.Properties);

    expect(routes).toEqual(expect.arrayContaining(['POST /evaluate', 'ANY /evaluate']));
    for (const integration of integrations) expect(integration.PayloadFormatVersion).toBe('2.0');
  });

  it('routes the CDS Hooks paths to the cdsHooks function', () => {
    const routes = resourcesOfType(template, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey as string);

    expect(routes).toEqual(
      expect.arrayContaining([
        'GET /cds-services',
        'POST /cds-services/{id}',
        'POST /cds-services/{id}/feedback',
        'OPTIONS /cds-services',
        'OPTIONS /cds-services/{id}',
        'OPTIONS /cds-services/{id}/feedback',
      ]),
    );
  });

  it('routes every sample event, in the template, to the function npm run invoke sends it to', () => {
    const integrationFunction = new Map(
      resourcesOfType(template, 'AWS::ApiGatewayV2::Integration').map(([name, r]) => [
        name,
        r.Properties.IntegrationUri['Fn::GetAtt'][0] as string,
      ]),
    );
    const routes = resourcesOfType(template, 'AWS::ApiGatewayV2::Route').map(([, r]) => {
      const [method, path] = (r.Properties.RouteKey as string).split(' ');
      const integration = (r.Properties.Target['Fn::Join'][1][1] as { Ref: string }).Ref;
      return {
        method,
        pattern: new RegExp(`^${path!.replace(/\{[^/]+\}/g, '[^/]+')}$`),
        fn: integrationFunction.get(integration)!,
      };
    });
    for (const name of eventNames('')) {
      const event = loadEvent<HttpEventLike>(name);
      const method = event.requestContext?.http?.method ?? event.httpMethod ?? '';
      const path = event.rawPath ?? event.path ?? '';
      const route =
        routes.find((r) => r.method === method && r.pattern.test(path)) ??
        routes.find((r) => r.method === 'ANY' && r.pattern.test(path));
      const target = functionFor(event);
      expect(route?.fn.toLowerCase(), name).toBe(`${target?.name}LambdaFunction`.toLowerCase());
    }
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
    const out = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', script("import { evaluate } from 'imatinib-sm-cds';")],
      { cwd: ROOT, encoding: 'utf8' },
    );

    expect(JSON.parse(out)).toEqual(['kit-d816v-caveat']);
  });

  it('lets CommonJS require it too', () => {
    const out = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        script(
          "import { createRequire } from 'node:module'; const { evaluate } = createRequire(process.cwd() + '/')('imatinib-sm-cds');",
        ),
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );

    expect(JSON.parse(out)).toEqual(['kit-d816v-caveat']);
  });

  it('ships type declarations for evaluate and the contract types', () => {
    const declarations = execFileSync('cat', ['dist/lib/types/index.d.ts'], { cwd: ROOT, encoding: 'utf8' });

    expect(declarations).toContain('evaluate');
    expect(declarations).toContain("export type * from './types.js'");
  });
});

describe('deployment security in the packaged template', () => {
  it('puts POST /evaluate behind an API Gateway JWT authorizer with issuer and audience as parameters', () => {
    const authorizers = resourcesOfType(template, 'AWS::ApiGatewayV2::Authorizer');
    expect(authorizers).toHaveLength(1);
    const [authorizerId, authorizer] = authorizers[0]!;
    const route = (key: string) =>
      resourcesOfType(template, 'AWS::ApiGatewayV2::Route').find(([, r]) => r.Properties.RouteKey === key)![1];

    expect(authorizer.Properties).toMatchObject({ AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'] });
    expect(authorizer.Properties.JwtConfiguration).toEqual({ Issuer: 'https://issuer.invalid', Audience: ['imatinib-sm-cds'] });
    expect(route('POST /evaluate').Properties).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } });
    // Other methods (preflights, and the 405 for a GET) reach the function without a token.
    expect(route('ANY /evaluate').Properties.AuthorizationType ?? 'NONE').toBe('NONE');
  });

  it('sets CORS in one place, the functions: no CORS configuration on the API', () => {
    const api = resourcesOfType(template, 'AWS::ApiGatewayV2::Api')[0]![1];
    const fns = resourcesOfType(template, 'AWS::Lambda::Function').map(([, r]) => r.Properties);

    expect(api.Properties.CorsConfiguration).toBeUndefined();
    for (const fn of fns) expect(fn.Environment.Variables.CORS_ALLOWED_ORIGINS).toBe('*');
  });

  it('leaves the CDS Hooks routes to the EHR-JWT check in the function, which is on by default', () => {
    const cds = resourcesOfType(template, 'AWS::ApiGatewayV2::Route').filter(([, r]) =>
      (r.Properties.RouteKey as string).includes('/cds-services'),
    );
    const fn = resourcesOfType(template, 'AWS::Lambda::Function').find(([name]) => name.startsWith('CdsHooks'))![1];

    expect(cds).toHaveLength(6);
    for (const [, route] of cds) expect(route.Properties.AuthorizationType ?? 'NONE').toBe('NONE');
    expect(fn.Properties.Environment.Variables.CDS_JWT_VERIFICATION).toBe('on');
  });

  it("throttles the API and reserves (and caps) each function's concurrency", () => {
    const [, stage] = resourcesOfType(template, 'AWS::ApiGatewayV2::Stage')[0]!;

    expect(stage!.Properties.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
    for (const [, fn] of resourcesOfType(template, 'AWS::Lambda::Function'))
      expect(fn.Properties.ReservedConcurrentExecutions).toBe(20);
  });

  const statementsOf = (role: CfnResource) => (role.Properties.Policies as any[]).flatMap((p) => p.PolicyDocument.Statement);
  const roleOf = (fn: string) => {
    const [, lambda] = resourcesOfType(template, 'AWS::Lambda::Function').find(([name]) => name.startsWith(fn))!;
    return template.Resources[lambda.Properties.Role['Fn::GetAtt'][0] as string]!;
  };

  it("grants every role CloudWatch Logs on the functions' own log groups, and nothing else outside the state table", () => {
    const roles = resourcesOfType(template, 'AWS::IAM::Role');

    expect(roles).toHaveLength(2);
    for (const [, role] of roles) {
      expect(role.Properties.ManagedPolicyArns ?? []).toEqual([]);
      for (const statement of statementsOf(role)) {
        expect(statement.Effect).toBe('Allow');
        for (const action of statement.Action) expect(action).toMatch(/^(logs|dynamodb):/);
        for (const resource of statement.Resource) {
          const target = JSON.stringify(resource);
          if (statement.Action[0].startsWith('logs:')) expect(target).toContain(':log-group:/aws/lambda/imatinib-sm-cds-');
          else expect(resource).toEqual({ 'Fn::GetAtt': ['CdsStateTable', 'Arn'] });
        }
      }
    }
    expect(statementsOf(roleOf('Evaluate')).flatMap((s) => s.Action)).not.toContainEqual(expect.stringMatching(/^dynamodb:/));
  });

  it('declares the state table: on demand, partition key pk (a string), TTL on ttl; the CDS Hooks function is told its name', () => {
    const [[name, table]] = resourcesOfType(template, 'AWS::DynamoDB::Table') as [[string, CfnResource]];
    const cdsHooks = resourcesOfType(template, 'AWS::Lambda::Function').find(([n]) => n.startsWith('CdsHooks'))![1];

    expect(name).toBe('CdsStateTable');
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: PARTITION_KEY, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: PARTITION_KEY, KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
    });
    expect(cdsHooks.Properties.Environment.Variables.CDS_STATE_TABLE).toBe(table.Properties.TableName);
  });

  it('grants the CDS Hooks function on the table only PutItem, UpdateItem and GetItem, each on the item kinds it writes or reads', () => {
    const onTable = statementsOf(roleOf('CdsHooks')).filter((s) => s.Action[0].startsWith('dynamodb:'));

    expect(
      Object.fromEntries(onTable.map((s) => [s.Action.join(), s.Condition['ForAllValues:StringLike']['dynamodb:LeadingKeys']])),
    ).toEqual({
      'dynamodb:PutItem': ['jti#*', 'card#*'],
      'dynamodb:UpdateItem': ['card#*', 'day#*'],
      'dynamodb:GetItem': ['card#*'],
    });
  });

  it("gives the committee's report a policy of its own that reads the day counters only", () => {
    const [[, policy]] = resourcesOfType(template, 'AWS::IAM::ManagedPolicy') as [[string, CfnResource]];

    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:BatchGetItem'],
        Resource: [{ 'Fn::GetAtt': ['CdsStateTable', 'Arn'] }],
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['day#*'] } },
      },
    ]);
    expect(policy.Properties.Roles ?? policy.Properties.Users ?? []).toEqual([]);
  });
});

describe('the built code, with its substituted dependencies', () => {
  it('answers byte for byte as the source does, on the sample facts and 500 generated patients', async () => {
    const built = (await import(path.join(ROOT, 'dist/lib/index.mjs'))) as typeof import('../../functions/core/index.js');
    const samples = eventNames('evaluate.')
      .filter((n) => !n.includes('invalid') && !n.includes('wrong-method'))
      .map((n) => JSON.parse(loadEvent<{ body: string }>(n).body));
    const generated = fc.sample(patientFacts, { seed: 4242, numRuns: 500 });

    for (const facts of [...samples, ...generated]) {
      expect(JSON.stringify(await built.evaluate(facts))).toBe(JSON.stringify(await evaluateSource(facts)));
    }
  });

  it('runs the Lambda with the V8 young-generation size the bench measures with', () => {
    const functions = resourcesOfType(template, 'AWS::Lambda::Function').map(([, r]) => r.Properties);
    const bench = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
      .scripts.bench!;

    for (const fn of functions) {
      expect(fn.Environment.Variables.NODE_OPTIONS).toMatch(/--max-semi-space-size=\d+/);
      expect(bench).toContain(`NODE_OPTIONS=${fn.Environment.Variables.NODE_OPTIONS as string}`);
    }
  });
});

describe('the Lambda bundles', () => {
  const answer = (bundle: string, event: string, env: Record<string, string> = {}) =>
    JSON.parse(
      execFileSync(
        process.execPath,
        [
          '-e',
          `require(${JSON.stringify(path.join(ROOT, bundle))}).handler(require(${JSON.stringify(path.join(ROOT, event))}), { awsRequestId: 'r', functionName: 'f', getRemainingTimeInMillis: () => 1000 }).then((r) => process.stdout.write(JSON.stringify(r)))`,
        ],
        {
          cwd: ROOT,
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT', ...env },
        },
      ),
    ) as { statusCode: number; body: string };

  it('answers an event from the built evaluate bundle in a fresh process', () => {
    const result = answer('dist/lambda/evaluate.cjs', 'events/evaluate.kit-d816v-positive.json');

    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body).findings[0].ruleId).toBe('kit-d816v-caveat');
  });

  it('carries its rules inside: the bundle alone, copied where there is no rules/ and no node_modules, answers the same', () => {
    const alone = mkdtempSync(path.join(tmpdir(), 'bundle-alone-'));
    copyFileSync(path.join(ROOT, 'dist/lambda/evaluate.cjs'), path.join(alone, 'index.cjs'));
    copyFileSync(path.join(ROOT, 'events/evaluate.on-therapy-response.json'), path.join(alone, 'event.json'));

    const run = (bundle: string, event: string) =>
      execFileSync(
        process.execPath,
        [
          '-e',
          `require(${JSON.stringify(bundle)}).handler(require(${JSON.stringify(event)}), { awsRequestId: 'r', functionName: 'f', getRemainingTimeInMillis: () => 1000 }).then((r) => process.stdout.write(r.body))`,
        ],
        {
          cwd: alone,
          encoding: 'utf8',
          env: { PATH: process.env.PATH, POWERTOOLS_LOG_LEVEL: 'SILENT' },
        },
      );
    const answer = JSON.parse(run(path.join(alone, 'index.cjs'), path.join(alone, 'event.json')));

    expect(answer.findings.length).toBeGreaterThan(0);
    expect(answer.knowledgeBase.digest).toBe(digestOf(path.join(ROOT, 'rules')));
  });

  it('keeps the AWS SDK out of the CDS Hooks bundle, which answers without it when no state table is set', () => {
    const bundle = readFileSync(path.join(ROOT, 'dist/lambda/cds-hooks.cjs'), 'utf8');
    const alone = mkdtempSync(path.join(tmpdir(), 'cds-bundle-alone-'));
    copyFileSync(path.join(ROOT, 'dist/lambda/cds-hooks.cjs'), path.join(alone, 'index.cjs'));
    const run = execFileSync(
      process.execPath,
      [
        '-e',
        `require('./index.cjs').handler(${JSON.stringify(loadEvent('cds-hooks.discovery'))}, { awsRequestId: 'r', functionName: 'f', getRemainingTimeInMillis: () => 1000 }).then((r) => process.stdout.write(String(r.statusCode)))`,
      ],
      {
        cwd: alone,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, POWERTOOLS_LOG_LEVEL: 'SILENT', CDS_JWT_VERIFICATION: 'off' },
      },
    );

    expect(bundle).toContain('require("@aws-sdk/client-dynamodb")');
    expect(bundle).not.toContain('DynamoDB_20120810'); // the service's wire name, in the SDK's code only
    expect(run).toBe('200');
  });

  it('answers discovery from the built CDS Hooks bundle, and refuses to start without its settings', () => {
    expect(
      answer('dist/lambda/cds-hooks.cjs', 'events/cds-hooks.discovery.json', { CDS_JWT_VERIFICATION: 'off' }).statusCode,
    ).toBe(200);
    expect(() =>
      answer('dist/lambda/cds-hooks.cjs', 'events/cds-hooks.discovery.json', {
        CDS_JWT_VERIFICATION: 'on',
        CDS_TRUSTED_ISSUERS: '',
      }),
    ).toThrow(/CDS_TRUSTED_ISSUERS/);
  });
});
