import { putMessageOnce } from '#shared/store/messages.ts';
import { touchConversation } from '#shared/store/conversations.ts';
import { bumpNumberStats } from '#shared/store/numbers.ts';
import type { EngineDeps } from '../engine-deps.ts';
import { buildMessage, touchOf, type Incoming, type Stored } from './incoming-message.ts';
import { knownThread, rememberThread } from './thread-cache.ts';

/**
 * The fast path: a conversation this process saw open, a message the queue deduplicates.
 * No read, no claim: the conversation update is conditional on the attendance still being
 * open, then the message is put under its queue-derived id. Undefined when the update did
 * not apply (closed meanwhile, a newer message, or a redelivery): the full path decides.
 * A crash between the two writes is finished by the full path on redelivery.
 */
export async function storeInOpenThread(
  input: Incoming,
  messageId: string,
  deps: EngineDeps,
): Promise<Stored | undefined> {
  const { number, who } = input;
  const known = knownThread(number, who, deps);
  if (!known?.openAttendanceId) return undefined;
  const conv = { id: known.conversationId, attendanceId: known.openAttendanceId };
  const built = await buildMessage(input, messageId, conv, known.contact, deps);
  const touched = await touchConversation(
    deps.ddb,
    deps.tableName,
    { accountId: number.accountId, id: conv.id },
    touchOf(input, built, known.contact),
    { openAttendanceId: known.openAttendanceId },
  );
  if (!touched) return undefined;
  rememberThread(number, who, known.contact, touched, deps);
  await deps.afterStep?.('conversation');
  const { message, created } = await putMessageOnce(deps.ddb, deps.tableName, built);
  if (created) bumpNumberStats(number, { received: 1 }, deps);
  await deps.afterStep?.('message');
  return { message, created, touched, previousName: known.contactName };
}
