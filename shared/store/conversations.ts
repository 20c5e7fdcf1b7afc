/**
 * Conversations (one thread per contact and number) and their attendances. Every write
 * here is idempotent or conditional, so a redelivered queue message can run it again.
 *
 * The protocol-number lookup (gsi1) lives on the attendance item, which is written once,
 * not on the conversation, which is rewritten on every message: an index that projects the
 * conversation would cost one more write unit per message.
 */
import {
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { protocolNumber } from '#shared/domain/protocol.ts';
import { bucketOf, chatStateOf, type ChatState } from '#shared/domain/inbox.ts';
import { contactCreation, findContact } from './contacts.ts';
import { bucketSets, inboxKeys, searchTermsOf } from './inbox.ts';
import { keys } from './keys.ts';
import { messageItem } from './messages.ts';
import { firstByGsi1, updateIfAllowed } from './ops.ts';
import {
  conversationSchema,
  type Contact,
  type Conversation,
  type Message,
  type MessageDirection,
  type MessageType,
  type WhatsAppNumber,
} from './types.ts';

const OPEN_BUCKET = bucketOf({ closed: false }, 0);
const CLOSED_BUCKET = bucketOf({ closed: true }, 0);

/** An update expression from its clauses, the empty ones left out: `SET a, b REMOVE c ADD d`. */
function updateExpression(c: { set?: string[]; remove?: string[]; add?: string[] }): string {
  return [
    c.set?.length ? `SET ${c.set.join(', ')}` : '',
    c.remove?.length ? `REMOVE ${c.remove.join(', ')}` : '',
    c.add?.length ? `ADD ${c.add.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

export async function getConversationById(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  conversationId: string,
): Promise<Conversation | undefined> {
  const res = await ddb.send(
    new GetCommand({ TableName: tableName, Key: keys.conversation(accountId, conversationId) }),
  );
  return res.Item ? conversationSchema.parse(res.Item) : undefined;
}

/**
 * The conversation as stored if its last message is `messageId` (a touch by that message
 * already done), else undefined. Strongly consistent: it follows that touch.
 */
export async function conversationShowing(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  conv: Pick<Conversation, 'accountId' | 'id'>,
  messageId: string,
): Promise<Conversation | undefined> {
  const res = await ddb.send(
    new GetCommand({
      TableName: tableName,
      Key: keys.conversation(conv.accountId, conv.id),
      ConsistentRead: true,
    }),
  );
  return res.Item?.lastMessageId === messageId ? conversationSchema.parse(res.Item) : undefined;
}

/** The thread of this contact on this number, if there is one. */
export async function findConversation(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  numberId: string,
  contactId: string,
): Promise<Conversation | undefined> {
  const found = await ddb.send(
    new GetCommand({ TableName: tableName, Key: keys.conversationByContact(accountId, numberId, contactId) }),
  );
  if (typeof found.Item?.conversationId !== 'string') return undefined;
  return getConversationById(ddb, tableName, accountId, found.Item.conversationId);
}

/** The conversation with this protocol number (an attendance's), if any. */
export async function findConversationByProtocol(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  protocol: string,
): Promise<Conversation | undefined> {
  const conversationId = (await firstByGsi1(ddb, tableName, keys.conversationByProtocol(accountId, protocol)))
    ?.conversationId;
  return typeof conversationId === 'string'
    ? getConversationById(ddb, tableName, accountId, conversationId)
    : undefined;
}

/** Next protocol number of the account (atomic counter; a crash may leave a gap, never a duplicate). */
async function nextProtocol(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  now: number,
  timeZone: string,
): Promise<string> {
  const counter = await ddb.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.counter(accountId, 'protocol'),
      UpdateExpression: 'ADD #v :one',
      ExpressionAttributeNames: { '#v': 'value' },
      ExpressionAttributeValues: { ':one': 1 },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return protocolNumber(now, Number(counter.Attributes?.value ?? 1), timeZone);
}

function attendancePut(
  tableName: string,
  accountId: string,
  conversationId: string,
  id: string,
  protocol: string,
  now: number,
) {
  return {
    Put: {
      TableName: tableName,
      Item: {
        ...keys.attendance(accountId, conversationId, id),
        ...keys.conversationByProtocol(accountId, protocol),
        id,
        accountId,
        conversationId,
        protocol,
        openedAt: now,
      },
    },
  };
}

export interface OpenConversationInput {
  number: WhatsAppNumber;
  contact: Contact;
  /**
   * `contact` is not written yet (contacts.ts newContact: findContact found nobody): it is
   * created in the new conversation's transaction, its lookup items conditional. When
   * another run created the same person first, that run's contact is read and used.
   */
  contactIsNew?: boolean;
  /** What findConversation returned (undefined: no thread yet). */
  existing?: Conversation;
  newId: () => string;
  now: number;
  timeZone: string;
  /**
   * A new conversation's first message, written in its creation, given the conversation
   * about to be created and its contact. Not called when the conversation exists
   * (reopened or open).
   */
  first?: (conv: Conversation, contact: Contact) => Promise<FirstMessage>;
}

/** A new conversation's first message, written in the conversation's transaction. */
export interface FirstMessage {
  /** Put conditional on not existing, as putMessageOnce does. */
  message: Message;
  /** The touch (touchConversation's) the message makes on its conversation. */
  touch: ConversationTouch;
  /** The routing state it leads to, when it can be written with the creation (routeConversation's). */
  routing?: RoutingWrite;
}

export interface OpenedConversation {
  conversation: Conversation;
  /** The given contact, or another run's that created the same person first. */
  contact: Contact;
  /** This run opened the attendance: created the conversation, or reopened it. */
  opened?: 'created' | 'reopened';
  /** The first message, written with the conversation (`first`'s): this run created both. */
  firstMessage?: Message;
}

/** A new conversation as `touchConversation` would leave it after its first message. */
function withFirstTouch(conv: Conversation, t: ConversationTouch): Conversation {
  const c = t.fromCustomer;
  return {
    ...conv,
    lastMessageAt: t.at,
    lastMessage: {
      text: t.preview.text.slice(0, 200),
      type: t.preview.type,
      direction: t.preview.direction,
      at: t.at,
      ...(t.preview.by ? { by: t.preview.by } : {}),
    },
    ...(c
      ? {
          lastCustomerMessageAt: c.sentAt,
          windowExpiresAt: c.windowExpiresAt,
          lastCustomerMessageId: t.messageId,
          answered: false,
          unread: conv.unread + 1,
          ...(c.name ? { contactName: c.name } : {}),
          ...(c.campaign ? { campaign: c.campaign } : {}),
          ...(c.phone ? { contactPhone: c.phone } : {}),
        }
      : {}),
  };
}

/** A new conversation with the routing state its first message leads to (routeConversation's). */
function withRouting(conv: Conversation, r: RoutingWrite): Conversation {
  return {
    ...conv,
    routingStage: r.stage,
    routedMessageId: r.messageId,
    ...(r.departmentId !== undefined ? { departmentId: r.departmentId } : {}),
    ...(r.assistantId !== undefined ? { assistantId: r.assistantId } : {}),
  };
}

/**
 * The conversation of a customer who is writing, open: created with its first attendance
 * and protocol (WIN-4) on first contact — with the contact when it is new, and with its
 * first message, that message's touch and routing state (`first`) — reopened with a new
 * attendance and protocol when it was closed, returned as is when open. Conditional
 * writes make concurrent or repeated runs create one contact and open one attendance.
 */
export async function openConversation(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  input: OpenConversationInput,
): Promise<OpenedConversation> {
  const { number, newId, now, timeZone } = input;
  const accountId = number.accountId;
  let { contact } = input;
  let contactIsNew = input.contactIsNew === true;
  let existing = input.existing;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (existing?.status === 'open') return { conversation: existing, contact };
    const protocol = await nextProtocol(ddb, tableName, accountId, now, timeZone);
    const attendanceId = newId();
    try {
      if (existing) {
        const reopened = inboxKeys(existing, OPEN_BUCKET, now);
        await ddb.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: tableName,
                  Key: keys.conversation(accountId, existing.id),
                  UpdateExpression:
                    'SET #s = :open, protocol = :p, attendanceId = :a, routingStage = :new, startedBy = :c, ' +
                    'openedAt = :now, inboxBucket = :b, gsi2pk = :g2pk, gsi3pk = :g3pk, gsi3sk = :g3sk ' +
                    'REMOVE assistantId, departmentId, agentId, closedAt, postponedUntil',
                  ConditionExpression: '#s <> :open',
                  ExpressionAttributeNames: { '#s': 'status' },
                  ExpressionAttributeValues: {
                    ':open': 'open',
                    ':p': protocol,
                    ':a': attendanceId,
                    ':new': 'new',
                    ':c': 'customer',
                    ':now': now,
                    ':b': reopened.inboxBucket,
                    ':g2pk': reopened.gsi2pk,
                    ':g3pk': reopened.gsi3pk,
                    ':g3sk': reopened.gsi3sk,
                  },
                },
              },
              attendancePut(tableName, accountId, existing.id, attendanceId, protocol, now),
            ],
          }),
        );
        const {
          assistantId: _a,
          departmentId: _d,
          agentId: _g,
          closedAt: _c,
          postponedUntil: _p,
          ...rest
        } = existing;
        return {
          conversation: {
            ...rest,
            status: 'open',
            protocol,
            attendanceId,
            routingStage: 'new',
            startedBy: 'customer',
            openedAt: now,
            inboxBucket: OPEN_BUCKET,
          },
          contact,
          opened: 'reopened',
        };
      }
      let conv: Conversation = {
        id: newId(),
        accountId,
        numberId: number.id,
        contactId: contact.id,
        contactName: contact.name,
        contactPhone: contact.phone ?? contact.waId ?? '',
        numberName: number.name,
        numberColor: number.color,
        status: 'open',
        protocol,
        attendanceId,
        lastMessageAt: now,
        unread: 0,
        routingStage: 'new',
        startedBy: 'customer',
        openedAt: now,
        inboxBucket: OPEN_BUCKET,
        createdAt: now,
      };
      const first = input.first && (await input.first(conv, contact));
      const touch = first?.touch;
      if (touch) conv = withFirstTouch(conv, touch);
      if (first?.routing) conv = withRouting(conv, first.routing);
      // Routed with its creation, it starts in the bucket its state calls for.
      const bucket = bucketOf(chatStateOf(conv), now);
      conv = { ...conv, inboxBucket: bucket };
      const inbox = inboxKeys(conv, bucket, now);
      await ddb.send(
        new TransactWriteCommand({
          TransactItems: [
            ...(contactIsNew ? contactCreation(tableName, contact) : []),
            {
              Put: {
                TableName: tableName,
                Item: {
                  ...keys.conversationByContact(accountId, number.id, contact.id),
                  conversationId: conv.id,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: tableName,
                Item: {
                  ...keys.conversation(accountId, conv.id),
                  ...inbox,
                  ...conv,
                  // The first message's touch is applied: touchConversation's condition.
                  ...(touch ? { lastMessageId: touch.messageId } : {}),
                },
              },
            },
            attendancePut(tableName, accountId, conv.id, attendanceId, protocol, now),
            ...searchTermsOf(conv).map((term) => ({
              Put: {
                TableName: tableName,
                Item: { ...keys.searchTerm(accountId, term, conv.id), conversationId: conv.id },
              },
            })),
            ...(first
              ? [
                  {
                    Put: {
                      TableName: tableName,
                      Item: messageItem(first.message),
                      ConditionExpression: 'attribute_not_exists(pk)',
                    },
                  },
                ]
              : []),
          ],
        }),
      );
      return {
        conversation: conv,
        contact,
        opened: 'created',
        ...(first ? { firstMessage: first.message } : {}),
      };
    } catch (err) {
      if (!(err instanceof TransactionCanceledException)) throw err;
      if (contactIsNew) {
        // Another run created the same person first: its contact from now on. Not found
        // (the transaction was throttled, say): created again on the next attempt.
        const theirs = await findContact(ddb, tableName, accountId, contact);
        if (!theirs) continue;
        contact = theirs;
        contactIsNew = false;
      }
      // Opened (or created) meanwhile by another run: read what it did.
      existing = await findConversation(ddb, tableName, accountId, number.id, contact.id);
    }
  }
  throw new Error('Could not open the conversation');
}

export interface ConversationTouch {
  /** The message this update is for: a second run with the same id changes nothing. */
  messageId: string;
  at: number;
  /** `by`: the user who sent it, for an agent's message (the list's "Você:"). */
  preview: { text: string; type: MessageType; direction: MessageDirection; by?: string };
  /** A customer's message: unread + 1 and the 24 h window moves (WIN-1). */
  fromCustomer?: {
    sentAt: number;
    windowExpiresAt: number;
    name?: string;
    phone?: string;
    /** The ad or post the message came from: the chat's campaign from now on. */
    campaign?: { id: string; name: string };
  };
}

/**
 * Moves the conversation to the top of the inbox with its last message; a customer
 * message also counts as unread and moves the 24 h window. Applied once per message and
 * never back in time (conditional on the last message id, a ULID). Returns the updated
 * conversation, or undefined when this message was already applied (or is older).
 *
 * A customer's message that lost the race to a newer one (an agent's reply stored while
 * it waited in the queue) still counts: its customer fields (unread, window) are applied
 * on their own, conditional on the last customer message id.
 *
 * `openAttendanceId`: apply only while the conversation is open with that attendance (the
 * engine's fast path, which did not read the conversation); one attempt, no fallback.
 */
export async function touchConversation(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  conv: Pick<Conversation, 'accountId' | 'id'>,
  t: ConversationTouch,
  opts: { openAttendanceId?: string } = {},
): Promise<Conversation | undefined> {
  // Only the sort key moves: the bucket (gsi2pk) belongs to whoever changes the state.
  const inbox = keys.inboxByLastMessage(conv.accountId, '', t.at, conv.id);
  const last = ['lastMessageAt = :at', 'lastMessage = :lm', 'lastMessageId = :mid', 'gsi2sk = :g2sk'];
  const lastValues: Record<string, unknown> = {
    ':at': t.at,
    ':lm': {
      text: t.preview.text.slice(0, 200),
      type: t.preview.type,
      direction: t.preview.direction,
      at: t.at,
      ...(t.preview.by ? { by: t.preview.by } : {}),
    },
    ':g2sk': inbox.gsi2sk,
  };
  const sets: string[] = [];
  const values: Record<string, unknown> = { ':mid': t.messageId };
  const add: string[] = [];
  const remove: string[] = [];
  if (t.fromCustomer) {
    sets.push(
      'lastCustomerMessageAt = :cat',
      'windowExpiresAt = :wx',
      'lastCustomerMessageId = :mid',
      'answered = :no',
    );
    values[':no'] = false;
    // The customer wrote: a postponed chat comes back to the open lists (INB-9).
    remove.push('postponedUntil');
    values[':cat'] = t.fromCustomer.sentAt;
    values[':wx'] = t.fromCustomer.windowExpiresAt;
    if (t.fromCustomer.name) {
      // An agent's edit of the name stays; the profile name is kept beside it.
      sets.push('profileName = :cn', 'contactName = if_not_exists(editedName, :cn)');
      values[':cn'] = t.fromCustomer.name;
    }
    if (t.fromCustomer.campaign) {
      sets.push('campaign = :camp');
      values[':camp'] = t.fromCustomer.campaign;
    }
    if (t.fromCustomer.phone) {
      // A contact first known by its user id may have shown its phone since.
      sets.push('contactPhone = :cp');
      values[':cp'] = t.fromCustomer.phone;
    }
    add.push('unread :one');
    values[':one'] = 1;
  }
  const key = keys.conversation(conv.accountId, conv.id);
  const newer = '(attribute_not_exists(lastMessageId) OR lastMessageId < :mid)';
  const open = opts.openAttendanceId;
  const updated = await updateIfAllowed(ddb, {
    TableName: tableName,
    Key: key,
    UpdateExpression: updateExpression({ set: [...last, ...sets], remove, add }),
    ConditionExpression: open
      ? `attribute_exists(pk) AND #s = :open AND attendanceId = :att AND ${newer}`
      : `attribute_exists(pk) AND ${newer}`,
    ...(open ? { ExpressionAttributeNames: { '#s': 'status' } } : {}),
    ExpressionAttributeValues: {
      ...values,
      ...lastValues,
      ...(open ? { ':open': 'open', ':att': open } : {}),
    },
    ReturnValues: 'ALL_NEW',
  });
  if (updated) return conversationSchema.parse(updated);
  if (open || !t.fromCustomer) return undefined;
  const counted = await updateIfAllowed(ddb, {
    TableName: tableName,
    Key: key,
    UpdateExpression: updateExpression({ set: sets, remove, add }),
    ConditionExpression:
      'attribute_exists(pk) AND (attribute_not_exists(lastCustomerMessageId) OR lastCustomerMessageId < :mid)',
    ExpressionAttributeValues: values,
    ReturnValues: 'ALL_NEW',
  });
  return counted && conversationSchema.parse(counted);
}

/**
 * Ends the attendance (WIN-3 auto-close, or an agent's "close now"): no agent, no
 * department, no assistant. Conditional on the attendance still being the open one, so a
 * stale close (the customer wrote and it reopened) changes nothing. Returns the closed
 * conversation, or undefined when it was not open with that attendance.
 */
export async function closeConversation(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  conv: Pick<Conversation, 'accountId' | 'id'>,
  attendanceId: string,
  now: number,
  reason: 'inactivity' | 'agent',
): Promise<Conversation | undefined> {
  const closed = {
    inboxBucket: CLOSED_BUCKET,
    ...keys.inboxPartitions(conv.accountId, CLOSED_BUCKET, conv.id),
  };
  try {
    const res = await ddb.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: tableName,
              Key: keys.conversation(conv.accountId, conv.id),
              UpdateExpression:
                'SET #s = :closed, closedAt = :now, inboxBucket = :b, gsi2pk = :g2pk, gsi3pk = :g3pk ' +
                'REMOVE agentId, departmentId, assistantId, routingStage, postponedUntil',
              ConditionExpression: '#s = :open AND attendanceId = :att',
              ExpressionAttributeNames: { '#s': 'status' },
              ExpressionAttributeValues: {
                ':closed': 'closed',
                ':open': 'open',
                ':att': attendanceId,
                ':now': now,
                ':b': closed.inboxBucket,
                ':g2pk': closed.gsi2pk,
                ':g3pk': closed.gsi3pk,
              },
            },
          },
          {
            Update: {
              TableName: tableName,
              Key: keys.attendance(conv.accountId, conv.id, attendanceId),
              UpdateExpression: 'SET closedAt = :now, closeReason = :r',
              ExpressionAttributeValues: { ':now': now, ':r': reason },
            },
          },
        ],
      }),
    );
    void res;
  } catch (err) {
    if (err instanceof TransactionCanceledException) return undefined;
    throw err;
  }
  return getConversationById(ddb, tableName, conv.accountId, conv.id);
}

/** An agent names the contact: shown from now on, the WhatsApp profile name no longer overwrites it. */
export async function renameConversationContact(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  conversationId: string,
  name: string,
): Promise<Conversation | undefined> {
  const updated = await updateIfAllowed(ddb, {
    TableName: tableName,
    Key: keys.conversation(accountId, conversationId),
    UpdateExpression: 'SET contactName = :n, editedName = :n',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeValues: { ':n': name },
    ReturnValues: 'ALL_NEW',
  });
  return updated && conversationSchema.parse(updated);
}

/** Sets unread to 0 and clears an "unread" mark; returns the conversation before the change, or undefined if not found. */
export async function markConversationRead(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  conversationId: string,
): Promise<Conversation | undefined> {
  const before = await updateIfAllowed(ddb, {
    TableName: tableName,
    Key: keys.conversation(accountId, conversationId),
    UpdateExpression: 'SET unread = :zero REMOVE markedUnread',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeValues: { ':zero': 0 },
    ReturnValues: 'ALL_OLD',
  });
  return before && conversationSchema.parse(before);
}

/** Flags an agent sets by hand (the unread mark, answered), with nothing else changing. */
export interface ConversationFlags {
  set?: Partial<Pick<Conversation, 'markedUnread' | 'answered'>>;
  remove?: ('markedUnread' | 'answered')[];
}

/** Sets or removes simple flags; the conversation after, or undefined when it does not exist. */
export async function setConversationFlags(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  conversationId: string,
  update: ConversationFlags,
): Promise<Conversation | undefined> {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets = Object.entries(update.set ?? {}).map(([k, v], i) => {
    names[`#s${i}`] = k;
    values[`:s${i}`] = v;
    return `#s${i} = :s${i}`;
  });
  const removes = (update.remove ?? []).map((k, i) => {
    names[`#r${i}`] = k;
    return `#r${i}`;
  });
  const updated = await updateIfAllowed(ddb, {
    TableName: tableName,
    Key: keys.conversation(accountId, conversationId),
    UpdateExpression: updateExpression({ set: sets, remove: removes }),
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeNames: names,
    ...(sets.length ? { ExpressionAttributeValues: values } : {}),
    ReturnValues: 'ALL_NEW',
  });
  return updated && conversationSchema.parse(updated);
}

/** An agent replied to a chat that keeps its agent: answered (no other change, nothing returned). */
export async function markConversationAnswered(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  conv: Pick<Conversation, 'accountId' | 'id'>,
): Promise<void> {
  await updateIfAllowed(ddb, {
    TableName: tableName,
    Key: keys.conversation(conv.accountId, conv.id),
    UpdateExpression: 'SET answered = :t',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeValues: { ':t': true },
  });
}

/**
 * Writes the chat's next state (agent, department, postponement; people take it from the
 * automation) and its inbox bucket in one update, conditional on the state it was computed
 * from (`conv`): open with the same attendance, agent, department and routing stage.
 * `extra`: other attributes set in the same update. Undefined when someone changed the chat
 * meanwhile.
 */
export async function writeChatState(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  conv: Conversation,
  next: ChatState,
  now: number,
  extra: Partial<Pick<Conversation, 'answered' | 'routingStage'>> = {},
): Promise<Conversation | undefined> {
  const move = bucketSets(conv, bucketOf(next, now));
  const values: Record<string, unknown> = { ...move.values, ':open': 'open' };
  const sets = [...move.sets];
  const removes: string[] = [];
  const field = (name: 'agentId' | 'departmentId' | 'postponedUntil', value: unknown) => {
    if (value === undefined) removes.push(name);
    else {
      sets.push(`${name} = :n_${name}`);
      values[`:n_${name}`] = value;
    }
  };
  field('agentId', next.agentId);
  field('departmentId', next.departmentId);
  field('postponedUntil', next.postponedUntil);
  if (next.bot === 'off' && (conv.routingStage === 'menu' || conv.routingStage === 'assistant')) {
    // People hold it now: the assistant drops its pending jobs (they check the stage).
    sets.push('routingStage = :people');
    values[':people'] = 'people';
    removes.push('assistantId');
  }
  Object.entries(extra).forEach(([name, value], i) => {
    sets.push(`${name} = :x${i}`);
    values[`:x${i}`] = value;
  });
  const conds = ['#st = :open'];
  if (conv.attendanceId) {
    conds.push('attendanceId = :att');
    values[':att'] = conv.attendanceId;
  } else conds.push('attribute_not_exists(attendanceId)');
  for (const name of ['agentId', 'departmentId', 'routingStage'] as const) {
    const was = conv[name];
    if (was === undefined) conds.push(`attribute_not_exists(${name})`);
    else {
      conds.push(`${name} = :w_${name}`);
      values[`:w_${name}`] = was;
    }
  }
  const updated = await updateIfAllowed(ddb, {
    TableName: tableName,
    Key: keys.conversation(conv.accountId, conv.id),
    UpdateExpression: updateExpression({ set: sets, remove: removes }),
    ConditionExpression: conds.join(' AND '),
    ExpressionAttributeNames: { '#st': 'status' },
    ExpressionAttributeValues: values,
    ReturnValues: 'ALL_NEW',
  });
  return updated && conversationSchema.parse(updated);
}

/** The routing state a customer's message leads to (shared/engine/route.ts). */
export interface RoutingWrite {
  stage: NonNullable<Conversation['routingStage']>;
  /** The customer's message routed: applied once per message, never back in time. */
  messageId: string;
  /** To a department: set, and the assistant removed. */
  departmentId?: string;
  /** To an assistant. */
  assistantId?: string;
}

/**
 * Records the routing decision for a customer's message, conditional on `routedMessageId`
 * (once per message). The conversation after, or undefined when already applied or older.
 */
export async function routeConversation(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  conv: Pick<Conversation, 'accountId' | 'id'>,
  r: RoutingWrite,
): Promise<Conversation | undefined> {
  const sets = ['routingStage = :st', 'routedMessageId = :mid'];
  const removes: string[] = [];
  const values: Record<string, unknown> = { ':st': r.stage, ':mid': r.messageId };
  if (r.departmentId !== undefined) {
    sets.push('departmentId = :d');
    values[':d'] = r.departmentId;
    removes.push('assistantId');
  }
  if (r.assistantId !== undefined) {
    sets.push('assistantId = :a');
    values[':a'] = r.assistantId;
  }
  const updated = await updateIfAllowed(ddb, {
    TableName: tableName,
    Key: keys.conversation(conv.accountId, conv.id),
    UpdateExpression: updateExpression({ set: sets, remove: removes }),
    ConditionExpression: 'attribute_not_exists(routedMessageId) OR routedMessageId < :mid',
    ExpressionAttributeValues: values,
    ReturnValues: 'ALL_NEW',
  });
  return updated && conversationSchema.parse(updated);
}

/** Records that the timers of the conversation's attendance are armed (while it is still that attendance). */
export async function markTimersArmed(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  conv: Pick<Conversation, 'accountId' | 'id'>,
  attendanceId: string,
): Promise<void> {
  await updateIfAllowed(ddb, {
    TableName: tableName,
    Key: keys.conversation(conv.accountId, conv.id),
    UpdateExpression: 'SET timersArmedFor = :a',
    ConditionExpression: 'attendanceId = :a',
    ExpressionAttributeValues: { ':a': attendanceId },
  });
}

/** Tokens and cost of one assistant answer, added to the conversation's totals. */
export interface AnswerUsageTotals {
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  costUsd?: number;
}

/** Adds an answer's tokens and cost to the conversation's totals, once per answer (`answerId`, increasing). */
export async function addConversationUsage(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  conv: Pick<Conversation, 'accountId' | 'id'>,
  usage: AnswerUsageTotals,
  answerId: string,
): Promise<void> {
  await updateIfAllowed(ddb, {
    TableName: tableName,
    Key: keys.conversation(conv.accountId, conv.id),
    UpdateExpression:
      'SET aiCountedFor = :id ADD aiPromptTokens :p, aiCompletionTokens :c, aiCachedTokens :k, aiCostUsd :usd',
    ConditionExpression: 'attribute_not_exists(aiCountedFor) OR aiCountedFor < :id',
    ExpressionAttributeValues: {
      ':id': answerId,
      ':p': usage.promptTokens,
      ':c': usage.completionTokens,
      ':k': usage.cachedTokens,
      ':usd': usage.costUsd ?? 0,
    },
  });
}

/**
 * The assistant answered the customer's message `messageId` (once per message, never back
 * in time); with `handover`, people take the chat (to the department, when given). The
 * conversation after, or undefined when already applied.
 */
export async function markAssistantAnswered(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  conv: Pick<Conversation, 'accountId' | 'id'>,
  messageId: string,
  handover?: { departmentId?: string },
): Promise<Conversation | undefined> {
  const sets = ['assistantAnsweredId = :mid'];
  const values: Record<string, unknown> = { ':mid': messageId };
  const remove: string[] = [];
  if (handover) {
    sets.push('routingStage = :people');
    values[':people'] = 'people';
    if (handover.departmentId) {
      sets.push('departmentId = :d');
      values[':d'] = handover.departmentId;
    }
    remove.push('assistantId');
  }
  const updated = await updateIfAllowed(ddb, {
    TableName: tableName,
    Key: keys.conversation(conv.accountId, conv.id),
    UpdateExpression: updateExpression({ set: sets, remove }),
    ConditionExpression: 'attribute_not_exists(assistantAnsweredId) OR assistantAnsweredId < :mid',
    ExpressionAttributeValues: values,
    ReturnValues: 'ALL_NEW',
  });
  return updated && conversationSchema.parse(updated);
}

/** The assistant's conversation variables (a tool set one), replaced whole. */
export async function setConversationVariables(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  conv: Pick<Conversation, 'accountId' | 'id'>,
  variables: Record<string, unknown>,
): Promise<void> {
  await updateIfAllowed(ddb, {
    TableName: tableName,
    Key: keys.conversation(conv.accountId, conv.id),
    UpdateExpression: 'SET variables = :v',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeValues: { ':v': variables },
  });
}

/**
 * Creates a conversation with no thread, contact or number (the assistant tester's and the
 * assistants API's chats), in the inbox bucket its state calls for. Returns it with the bucket.
 */
export async function putDetachedConversation(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  conv: Conversation,
  now: number,
): Promise<Conversation> {
  const bucket = bucketOf(chatStateOf(conv), now);
  await ddb.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...keys.conversation(conv.accountId, conv.id), ...conv, ...inboxKeys(conv, bucket, now) },
    }),
  );
  return { ...conv, inboxBucket: bucket };
}

/** A tester's (or the API's) customer message in a detached conversation: its newest customer message. */
export async function recordDetachedCustomerMessage(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  conversationId: string,
  message: { id: string; createdAt: number },
): Promise<void> {
  await updateIfAllowed(ddb, {
    TableName: tableName,
    Key: keys.conversation(accountId, conversationId),
    UpdateExpression: 'SET lastCustomerMessageId = :m, lastMessageAt = :t',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeValues: { ':m': message.id, ':t': message.createdAt },
  });
}

/**
 * Puts the conversation in the bucket its state calls for, if it is not there. Returns the
 * conversation as stored afterwards.
 */
export async function syncInboxKeys(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  conv: Conversation,
  now: number,
): Promise<Conversation> {
  let current = conv;
  for (let attempt = 0; attempt < 4; attempt++) {
    const bucket = bucketOf(chatStateOf(current), now);
    if (current.inboxBucket === bucket) return current;
    const move = bucketSets(current, bucket);
    const values: Record<string, unknown> = { ...move.values, ':st': current.status };
    // The state the bucket was computed from must still be the state.
    const same = (attr: string, value: unknown) => {
      if (value === undefined) return `attribute_not_exists(${attr})`;
      values[`:${attr}`] = value;
      return `${attr} = :${attr}`;
    };
    const updated = await updateIfAllowed(ddb, {
      TableName: tableName,
      Key: keys.conversation(current.accountId, current.id),
      UpdateExpression: updateExpression({ set: move.sets }),
      ConditionExpression: [
        '#st = :st',
        same('agentId', current.agentId),
        same('departmentId', current.departmentId),
        same('routingStage', current.routingStage),
        same('postponedUntil', current.postponedUntil),
      ].join(' AND '),
      ExpressionAttributeNames: { '#st': 'status' },
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
    });
    if (updated) return conversationSchema.parse(updated);
    const fresh = await ddb.send(
      new GetCommand({ TableName: tableName, Key: keys.conversation(current.accountId, current.id) }),
    );
    if (!fresh.Item) return current;
    current = conversationSchema.parse(fresh.Item);
  }
  return current;
}

/**
 * A conversation the business started (INB-12: a new chat's template): its open
 * attendance is marked `startedBy: 'business'`, so the customer's reply is routed by the
 * number's active routing (RT-5). Conditional on that attendance still being the open one
 * and not yet routed; false when it changed meanwhile.
 */
export async function markStartedByBusiness(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  conv: Pick<Conversation, 'accountId' | 'id'>,
  attendanceId: string,
): Promise<boolean> {
  const res = await updateIfAllowed(ddb, {
    TableName: tableName,
    Key: keys.conversation(conv.accountId, conv.id),
    UpdateExpression: 'SET startedBy = :b',
    ConditionExpression: '#s = :open AND attendanceId = :att AND routingStage = :new',
    ExpressionAttributeNames: { '#s': 'status' },
    ExpressionAttributeValues: { ':b': 'business', ':open': 'open', ':att': attendanceId, ':new': 'new' },
  });
  return res !== undefined;
}
