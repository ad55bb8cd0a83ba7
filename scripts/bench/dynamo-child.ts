/**
 * The bench's DynamoDB: a local one (scripts/local-dynamodb.ts) in a process of its own, so that its
 * work does not run on the event loop being timed, as DynamoDB's does not, with the tables named on
 * the command line. Prints the environment
 * that reaches it as one JSON line, then serves until it is killed.
 */
import { startLocalDynamo } from '../local-dynamodb.js';

const [table, ...others] = process.argv.slice(2);
const dynamo = await startLocalDynamo(table, others);
process.stdout.write(`${JSON.stringify(dynamo.env)}\n`);
process.on('SIGTERM', () => void dynamo.close().then(() => process.exit(0)));
