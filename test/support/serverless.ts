import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export interface CfnResource {
  Type: string;
  Properties: Record<string, any>;
}

export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, unknown>;
}

/**
 * Runs `serverless package` offline on the bundles of dist/, as CI does, then returns the
 * CloudFormation template it wrote. The project's setup has made sure dist/ is current
 * (vitest.package.config.ts). HOME points at a temporary folder because the framework writes under it.
 */
export function packageService(): CfnTemplate {
  const env = { ...process.env, HOME: mkdtempSync(path.join(tmpdir(), 'sls-home-')) };
  execFileSync(path.join(ROOT, 'node_modules/.bin/serverless'), ['package'], { cwd: ROOT, env, stdio: 'pipe' });
  return JSON.parse(
    readFileSync(path.join(ROOT, '.serverless/cloudformation-template-update-stack.json'), 'utf8'),
  ) as CfnTemplate;
}

export function resourcesOfType(template: CfnTemplate, type: string): [string, CfnResource][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}
