import { afterAll, beforeAll } from 'vitest';
import { startLocalDynamo, type LocalDynamo } from '../../scripts/local-dynamodb.js';

/**
 * Starts a local DynamoDB (dynalite, scripts/local-dynamodb.ts) on 127.0.0.1 before the file's
 * tests, with this process's environment pointed at it (CDS_STATE_TABLE, AWS_ENDPOINT_URL_DYNAMODB,
 * region, placeholder credentials), and stops it after them. Returns the running instance.
 */
export function useLocalDynamo(): () => LocalDynamo {
  let dynamo: LocalDynamo | undefined;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    Object.assign(process.env, dynamo.env);
  });
  afterAll(async () => {
    if (!dynamo) return;
    for (const name of Object.keys(dynamo.env)) delete process.env[name];
    await dynamo.close();
  });
  return () => dynamo!;
}
