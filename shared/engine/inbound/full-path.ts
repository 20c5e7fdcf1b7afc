import { earliestUnclaimedId, inboundMessageId } from '#shared/domain/inbound-id.ts';
import { openConversation, touchConversation } from '#shared/store/conversations.ts';
import { claimInboundWamid, findMessageByWamid, getMessage, putMessageOnce } from '#shared/store/messages.ts';
import { bumpNumberStats } from '#shared/store/numbers.ts';
import { DEFAULT_TIMEZONE, type Message } from '#shared/store/types.ts';
import type { RoutingDecision } from '#shared/domain/routing.ts';
import type { EngineDeps } from '../engine-deps.ts';
import { logRouted, routingAtOpening } from '../route.ts';
import { buildMessage, touchOf, wamidOf, type Incoming, type Stored } from './incoming-message.ts';
import { rememberThread, threadOf } from './thread-cache.ts';

/**
 * The full path: reads the conversation, opens an attendance when none is open, stores the
 * message once. `messageId` is the queue-derived id when the queue deduplicates the
 * message; without it the wamid is claimed (or found stored earlier without a claim).
 */
export async function storeInThread(
  input: Incoming,
  fixedId: string | undefined,
  deps: EngineDeps,
): Promise<Stored> {
  const { number, who, item, now } = input;
  const accountId = number.accountId;
  const thread = await threadOf(number, who, now, deps);
  let contact = thread.contact;
  let conv = thread.conversation;

  const wamid = wamidOf(item);
  let messageId: string;
  let message: Message | undefined;
  if (fixedId) {
    messageId = fixedId;
    // A redelivery (a crash after the fast path's update, say) finds its message.
    message = conv ? await getMessage(deps.ddb, deps.tableName, accountId, conv.id, fixedId) : undefined;
  } else {
    // A late copy of a message stored without a claim while the queue deduplicated it.
    message =
      conv && Number.isFinite(input.metaAt)
        ? await findMessageByWamid(deps.ddb, deps.tableName, accountId, conv.id, wamid, {
            fromId: earliestUnclaimedId(input.metaAt),
          })
        : undefined;
    if (message) messageId = message.id;
    else {
      const claim = await claimInboundWamid(
        deps.ddb,
        deps.tableName,
        accountId,
        wamid,
        inboundMessageId(deps.delivery) ?? deps.newId(),
        conv?.id,
      );
      await deps.afterStep?.('claim');
      messageId = claim.messageId;
      // A claim from an earlier run: if that run stored the message, this is a redelivery
      // or a duplicate, and nothing may open an attendance or store anything again.
      message =
        !claim.fresh && conv
          ? await getMessage(deps.ddb, deps.tableName, accountId, conv.id, messageId)
          : undefined;
    }
  }
  let created = false;
  let opened: Stored['opened'];
  // A new conversation is created with its first message, that message's touch and, when
  // nothing is sent before it, its routing state: one transaction (with the contact too,
  // for a new person).
  let firstMessage: Message | undefined;
  const routedAtOpening: { decision?: RoutingDecision } = {};
  if (!message) {
    const open = await openConversation(deps.ddb, deps.tableName, {
      number,
      contact,
      contactIsNew: thread.contactIsNew,
      existing: conv,
      newId: deps.newId,
      now,
      timeZone: DEFAULT_TIMEZONE,
      first: async (created, contact) => {
        const built = await buildMessage(input, messageId, created, contact, deps);
        const routing = await routingAtOpening(number, created, built, deps);
        routedAtOpening.decision = routing?.decision;
        return {
          message: built,
          touch: touchOf(input, built, contact),
          ...(routing ? { routing: routing.write } : {}),
        };
      },
    });
    ({ conversation: conv, contact, firstMessage } = open);
    rememberThread(number, who, contact, conv, deps);
    if (open.opened) opened = { conversation: conv, newContact: open.opened === 'created' };
    if (firstMessage && routedAtOpening.decision) logRouted(conv, routedAtOpening.decision, deps);
    await deps.afterStep?.('open');
    if (firstMessage) {
      message = firstMessage;
      created = true;
    } else
      ({ message, created } = await putMessageOnce(
        deps.ddb,
        deps.tableName,
        await buildMessage(input, messageId, conv, contact, deps),
      ));
    if (created)
      bumpNumberStats(
        number,
        {
          received: 1,
          ...(opened ? { conversations: 1 } : {}),
          ...(opened?.newContact ? { contacts: 1 } : {}),
        },
        deps,
      );
    await deps.afterStep?.('message');
  }
  // Created with its touch by this run: the conversation as written is the touched one.
  const touched = firstMessage
    ? conv
    : await touchConversation(
        deps.ddb,
        deps.tableName,
        { accountId, id: message.conversationId },
        touchOf(input, message, contact),
      );
  if (touched) rememberThread(number, who, contact, touched, deps);
  await deps.afterStep?.('conversation');
  return { message, created, touched, previousName: conv?.contactName, ...(opened ? { opened } : {}) };
}
