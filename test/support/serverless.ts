import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageNow } from '../../scripts/build/package.js';

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
 * Runs `serverless package` offline on the bundles of dist/ (scripts/build/package.ts: the package
 * CI ships, stamped so that CI reuses it), then returns the CloudFormation template it wrote. The
 * project's setup has made sure dist/ is current (vitest.package.config.ts).
 */
export function packageService(): CfnTemplate {
  packageNow(ROOT);
  return JSON.parse(
    readFileSync(path.join(ROOT, '.serverless/cloudformation-template-update-stack.json'), 'utf8'),
  ) as CfnTemplate;
}

export function resourcesOfType(template: CfnTemplate, type: string): [string, CfnResource][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}
