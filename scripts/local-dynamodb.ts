import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { PARTITION_KEY } from '../functions/adapters/state/state-table.js';

/**
 * A local DynamoDB for the tests and the bench: dynalite (pure JavaScript, in memory) on 127.0.0.1
 * at a free port, with the state table created as serverless.yml declares it (partition key `pk`,
 * a string; on demand). `env` is what a process needs to use it through the standard settings:
 * `CDS_STATE_TABLE`, `AWS_ENDPOINT_URL_DYNAMODB`, a region and placeholder credentials (dynalite
 * checks none). dynalite does not implement TTL; nothing here relies on items being deleted.
 */

export interface LocalDynamo {
  endpoint: string;
  tableName: string;
  env: Record<string, string>;
  /** Every item of the table, as DynamoDB returns them. */
  scan(): Promise<Record<string, AttributeValue>[]>;
  close(): Promise<void>;
}

export const LOCAL_REGION = 'eu-west-1';

/** Starts it, with the state table `tableName` (the one `env` names) and, laid out alike, `otherTables`. */
export async function startLocalDynamo(
  tableName = 'imatinib-sm-cds-local-state',
  otherTables: readonly string[] = [],
): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  for (const name of [tableName, ...otherTables]) {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: PARTITION_KEY, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: PARTITION_KEY, KeyType: 'HASH' }],
      }),
    );
  }
  return {
    endpoint,
    tableName,
    env: {
      CDS_STATE_TABLE: tableName,
      AWS_ENDPOINT_URL_DYNAMODB: endpoint,
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    },
    async scan() {
      const items: Record<string, AttributeValue>[] = [];
      let start: Record<string, AttributeValue> | undefined;
      do {
        const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
        items.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
      return items;
    },
    close() {
      client.destroy();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
