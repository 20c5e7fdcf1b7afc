/**
 * The API's pages of messages: cursors over shared/store/messages.ts's queryMessagePage.
 * Every query's partition is built from the caller's account id, so another account's ids
 * simply are not found.
 */
import type { DynamoDBDocumentClient } from '#shared/store/client.ts';
import { z } from 'zod';
import { isMessagePosition, messagePosition, queryMessagePage } from '#shared/store/messages.ts';
import type { Message } from '#shared/store/types.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

const messageCursorSchema = z.object({
  /** Direction: `o` pages to older messages, `n` to newer ones. */
  d: z.enum(['o', 'n']),
  sk: z.string().refine(isMessagePosition),
});

/**
 * Messages of a conversation, each page ordered oldest first. Without a cursor: the latest
 * page, and `nextCursor` pages back to older ones. With `after`: messages newer than that
 * id, and `nextCursor` pages forward (resync after a reconnect).
 */
export async function listMessages(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  conversationId: string,
  opts: { limit: number; cursor?: string; after?: string },
): Promise<Page<Message>> {
  let direction: 'o' | 'n' = opts.after ? 'n' : 'o';
  let startSk: string | undefined = opts.after ? messagePosition(opts.after) : undefined;
  if (opts.cursor) {
    const c = decodeCursor(opts.cursor, messageCursorSchema);
    direction = c.d;
    startSk = c.sk;
  }
  const page = await queryMessagePage(ddb, tableName, accountId, conversationId, {
    newestFirst: direction === 'o',
    startSk,
    limit: opts.limit,
  });
  const items = page.items;
  if (direction === 'o') items.reverse();
  return {
    items,
    ...(page.lastSk !== undefined ? { nextCursor: encodeCursor({ d: direction, sk: page.lastSk }) } : {}),
  };
}
