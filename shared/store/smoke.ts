/**
 * The post-deploy smoke check's marker (scripts/smoke.ts): fn timers writes one when the
 * check's one-time schedule fires, the script reads it to see that EventBridge Scheduler
 * reached fn timers. One item per check, no tenant data, gone after a day (TTL).
 */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys.ts';

export interface SmokeMarker {
  smokeId: string;
  /** When fn timers ran it (epoch ms). */
  firedAt: number;
  /** When the schedule was meant to fire (epoch ms). */
  dueAt: number;
}

const DAY_S = 86_400;

export async function putSmokeMarker(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  marker: SmokeMarker,
): Promise<void> {
  await ddb.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...keys.smokeMarker(marker.smokeId),
        ...marker,
        ttl: Math.ceil(marker.firedAt / 1000) + DAY_S,
      },
    }),
  );
}

export async function getSmokeMarker(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  smokeId: string,
): Promise<SmokeMarker | undefined> {
  const res = await ddb.send(
    new GetCommand({ TableName: tableName, Key: keys.smokeMarker(smokeId), ConsistentRead: true }),
  );
  if (!res.Item) return undefined;
  return { smokeId, firedAt: Number(res.Item.firedAt), dueAt: Number(res.Item.dueAt) };
}
