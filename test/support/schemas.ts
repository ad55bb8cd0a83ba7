import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';

const SCHEMAS_DIR = path.resolve(import.meta.dirname, '../../schemas');

/** A validator for one of the published schemas in schemas/. */
export function schemaValidator(file: string) {
  const schema = JSON.parse(readFileSync(path.join(SCHEMAS_DIR, file), 'utf8')) as object;
  return new Ajv2020({ allErrors: true, strict: false }).compile(schema);
}
