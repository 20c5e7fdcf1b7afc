/**
 * Creates the single table from the topology (local runtime and tests). The CDK app
 * builds the AWS table from the same declaration.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  UpdateTimeToLiveCommand,
  ResourceInUseException,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { table } from '#infra/topology.ts';

export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const attrs = new Set<string>([table.partitionKey, table.sortKey]);
  for (const ix of table.indexes) {
    attrs.add(`${ix.name}pk`);
    attrs.add(`${ix.name}sk`);
  }
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...attrs].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: table.partitionKey, KeyType: 'HASH' },
          { AttributeName: table.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: table.indexes.map((ix) => ({
          IndexName: ix.name,
          KeySchema: [
            { AttributeName: `${ix.name}pk`, KeyType: 'HASH' },
            { AttributeName: `${ix.name}sk`, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: ix.projection ?? 'ALL' },
        })),
      }),
    );
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true },
      }),
    );
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
  }
  for (let i = 0; i < 100; i++) {
    const d = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (d.Table?.TableStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 100));
  }
}
