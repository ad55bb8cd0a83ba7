import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * The service's state: one DynamoDB table named by `CDS_STATE_TABLE`, partition key `pk` (string),
 * each item deleted by DynamoDB's TTL at its `ttl` attribute (epoch seconds). It holds the token
 * ids seen (replay protection), the cards shown with their feedback, and counters per day
 * (docs/security.md, "What is kept, and for how long"). Items are flat: strings and numbers only.
 *
 * The AWS SDK is loaded on first use only, so a run without a table (`npm start`, `npm run invoke`)
 * needs no AWS at all; it is external to the bundles, as the Lambda runtime provides it. The client
 * honours the SDK's own settings: `AWS_REGION`, credentials, and `AWS_ENDPOINT_URL_DYNAMODB` (a local
 * DynamoDB in tests).
 */

export const STATE_TABLE_SETTING = 'CDS_STATE_TABLE';

/** The table's partition key (a string) and its TTL attribute (epoch seconds), as serverless.yml declares them. */
export const PARTITION_KEY = 'pk';
export const TTL_ATTRIBUTE = 'ttl';

/** DynamoDB's rule for table names. */
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

/**
 * Short, because the calls that need the store wait for it: a call that cannot reach it is
 * refused (503) within about 2 s, inside the function's 6 s timeout, instead of holding an instance.
 */
const CLIENT_LIMITS = Object.freeze({ connectionTimeoutMs: 500, requestTimeoutMs: 1_000, maxAttempts: 2 });

/** BatchGetItem reads at most 100 keys a call; unprocessed keys are asked again this many times. */
const BATCH_GET_KEYS = 100;
const BATCH_GET_ROUNDS = 8;

/** CDS_STATE_TABLE is not a table name: the cold start fails, naming the setting. */
export class StateTableSettingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateTableSettingError';
  }
}

/**
 * The store could not be read or written (unreachable, throttled, no such table, access denied).
 * `reason` is the SDK's error name or network code, for the log: never a key, a token or a value.
 */
export class StateStoreUnavailable extends Error {
  constructor(readonly reason: string) {
    super('The state store could not be reached.');
    this.name = 'StateStoreUnavailable';
  }
}

/** The table name of `CDS_STATE_TABLE`, checked; undefined when the setting is empty or absent. */
export function stateTableNameOf(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const value = env[STATE_TABLE_SETTING]?.trim() ?? '';
  if (value === '') return undefined;
  if (!TABLE_NAME.test(value)) {
    throw new StateTableSettingError(
      `${STATE_TABLE_SETTING} must be a DynamoDB table name: 3 to 255 letters, digits, "_", "-" or ".".`,
    );
  }
  return value;
}

export type Scalar = string | number;
/** An item's attributes as this service writes them: flat strings and numbers. */
export type Item = Record<string, Scalar>;

export interface UpdateCondition {
  /** Attributes that must hold these values (the item must exist). */
  matches: Readonly<Record<string, Scalar>>;
  /** Attributes that must not be set yet. */
  absent: readonly string[];
}

export interface StateTable {
  readonly name: string;
  /**
   * Writes the item `pk`, deleted by TTL at `ttl` (epoch seconds), with `attributes`, unless an item
   * `pk` exists; false, writing nothing, when one does.
   */
  putIfAbsent(pk: string, ttl: number, attributes?: Readonly<Item>): Promise<boolean>;
  /**
   * Adds `counts` to numbers of the item `pk` (created when absent), sets `values` and its `ttl` on
   * it, in one atomic update.
   */
  add(pk: string, ttl: number, counts: Readonly<Record<string, number>>, values?: Readonly<Item>): Promise<void>;
  /** Sets `values` on the existing item `pk` if `condition` holds; false, changing nothing, otherwise. */
  updateIf(pk: string, values: Readonly<Record<string, Scalar>>, condition: UpdateCondition): Promise<boolean>;
  /** The item `pk` (strongly consistent), or undefined. */
  get(pk: string): Promise<Item | undefined>;
  /** The items of `pks` that exist, in no particular order (eventually consistent). */
  getMany(pks: readonly string[]): Promise<Item[]>;
}

type Sdk = typeof import('@aws-sdk/client-dynamodb');

const attributeOf = (value: Scalar): AttributeValue => (typeof value === 'number' ? { N: String(value) } : { S: value });

function itemOf(attributes: Record<string, AttributeValue>): Item {
  const item: Item = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (value.S !== undefined) item[name] = value.S;
    else if (value.N !== undefined) item[name] = Number(value.N);
  }
  return item;
}

/** Expression placeholders for attribute names and values, which may hold any character. */
class Placeholders {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, AttributeValue> = {};
  name(attribute: string): string {
    const placeholder = `#n${Object.keys(this.names).length}`;
    this.names[placeholder] = attribute;
    return placeholder;
  }
  value(value: Scalar): string {
    const placeholder = `:v${Object.keys(this.values).length}`;
    this.values[placeholder] = attributeOf(value);
    return placeholder;
  }
}

const isConditionFailure = (error: unknown) => (error as { name?: unknown })?.name === 'ConditionalCheckFailedException';

function unavailable(error: unknown): StateStoreUnavailable {
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
  const reason = typeof code === 'string' && code !== '' ? code : typeof name === 'string' ? name : 'unknown';
  return new StateStoreUnavailable(reason);
}

/** The state table `name`, through a client created (and the SDK loaded) on first use. */
export function stateTable(name: string): StateTable {
  let loading: Promise<{ sdk: Sdk; client: DynamoDBClient }> | undefined;
  const connect = () =>
    (loading ??= import('@aws-sdk/client-dynamodb').then((sdk) => ({
      sdk,
      client: new sdk.DynamoDBClient({
        maxAttempts: CLIENT_LIMITS.maxAttempts,
        requestHandler: {
          connectionTimeout: CLIENT_LIMITS.connectionTimeoutMs,
          requestTimeout: CLIENT_LIMITS.requestTimeoutMs,
          // Recent SDKs only warn when a request outlives requestTimeout, unless told to fail it.
          throwOnRequestTimeout: true,
        },
      }),
    })));

  /** Runs one call; a condition that fails is `false`, any other failure StateStoreUnavailable. */
  async function call<T>(run: (sdk: Sdk, client: DynamoDBClient) => Promise<T>): Promise<T | false> {
    try {
      const { sdk, client } = await connect();
      return await run(sdk, client);
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw unavailable(error);
    }
  }

  const key = (pk: string) => ({ [PARTITION_KEY]: { S: pk } });
  const absent = `attribute_not_exists(${PARTITION_KEY})`;

  return {
    name,
    async putIfAbsent(pk, ttl, attributes = {}) {
      const item = { ...attributes, [TTL_ATTRIBUTE]: ttl };
      const written = await call((sdk, client) =>
        client.send(
          new sdk.PutItemCommand({
            TableName: name,
            Item: { ...Object.fromEntries(Object.entries(item).map(([k, v]) => [k, attributeOf(v)])), ...key(pk) },
            ConditionExpression: absent,
          }),
        ),
      );
      return written !== false;
    },
    async add(pk, ttl, counts, values = {}) {
      const p = new Placeholders();
      const adds = Object.entries(counts).map(([n, v]) => `${p.name(n)} ${p.value(v)}`);
      const sets = Object.entries({ ...values, [TTL_ATTRIBUTE]: ttl }).map(([n, v]) => `${p.name(n)} = ${p.value(v)}`);
      const expression = `SET ${sets.join(', ')}${adds.length > 0 ? ` ADD ${adds.join(', ')}` : ''}`;
      await call((sdk, client) =>
        client.send(
          new sdk.UpdateItemCommand({
            TableName: name,
            Key: key(pk),
            UpdateExpression: expression,
            ExpressionAttributeNames: p.names,
            ExpressionAttributeValues: p.values,
          }),
        ),
      );
    },
    async updateIf(pk, values, condition) {
      const p = new Placeholders();
      const sets = Object.entries(values).map(([n, v]) => `${p.name(n)} = ${p.value(v)}`);
      const conditions = [
        `attribute_exists(${PARTITION_KEY})`,
        ...Object.entries(condition.matches).map(([n, v]) => `${p.name(n)} = ${p.value(v)}`),
        ...condition.absent.map((n) => `attribute_not_exists(${p.name(n)})`),
      ];
      const updated = await call((sdk, client) =>
        client.send(
          new sdk.UpdateItemCommand({
            TableName: name,
            Key: key(pk),
            UpdateExpression: `SET ${sets.join(', ')}`,
            ConditionExpression: conditions.join(' AND '),
            ExpressionAttributeNames: p.names,
            ExpressionAttributeValues: p.values,
          }),
        ),
      );
      return updated !== false;
    },
    async get(pk) {
      const answer = await call((sdk, client) =>
        client.send(new sdk.GetItemCommand({ TableName: name, Key: key(pk), ConsistentRead: true })),
      );
      return answer && answer.Item ? itemOf(answer.Item) : undefined;
    },
    async getMany(pks) {
      // Batches are read side by side; each asks again for the keys DynamoDB left unprocessed.
      const batch = async (first: number): Promise<Item[]> => {
        const items: Item[] = [];
        let keys = pks.slice(first, first + BATCH_GET_KEYS).map(key);
        for (let round = 0; keys.length > 0; round++) {
          if (round === BATCH_GET_ROUNDS) throw new StateStoreUnavailable('UnprocessedKeys');
          // Keys come back unprocessed when the table is throttled: wait a little longer each round.
          if (round > 0) await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** round));
          const answer = await call((sdk, client) =>
            client.send(new sdk.BatchGetItemCommand({ RequestItems: { [name]: { Keys: keys } } })),
          );
          if (answer === false) throw new StateStoreUnavailable('ConditionalCheckFailedException');
          items.push(...(answer.Responses?.[name] ?? []).map(itemOf));
          keys = (answer.UnprocessedKeys?.[name]?.Keys ?? []) as typeof keys;
        }
        return items;
      };
      const firsts = Array.from({ length: Math.ceil(pks.length / BATCH_GET_KEYS) }, (_, i) => i * BATCH_GET_KEYS);
      return (await Promise.all(firsts.map(batch))).flat();
    },
  };
}
