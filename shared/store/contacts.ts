/**
 * Contacts: found by canonical phone (Brazilian 9th digit normalised) or, for contacts
 * Meta identifies only by a business-scoped user id, by that id. Creation is race-safe:
 * the lookup item is written conditionally, and the loser reads the winner's contact.
 */
import {
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { canonicalPhone } from '#shared/domain/phone.ts';
import { keys } from './keys.ts';
import { contactSchema, type Contact } from './types.ts';

export interface ContactIdentity {
  waId?: string;
  userId?: string;
  name?: string;
}

function lookupKey(accountId: string, who: ContactIdentity) {
  if (who.waId) return keys.contactByPhone(accountId, canonicalPhone(who.waId));
  if (who.userId) return keys.contactByUserId(accountId, who.userId);
  return undefined;
}

/** The contact for this identity, created on first contact. */
export async function findOrCreateContact(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  who: ContactIdentity,
  newId: () => string,
  now: number,
): Promise<Contact> {
  const lookup = lookupKey(accountId, who);
  if (!lookup) throw new Error('A contact needs a wa_id or a user_id');
  for (let attempt = 0; attempt < 3; attempt++) {
    const found = await ddb.send(new GetCommand({ TableName: tableName, Key: lookup }));
    if (found.Item) {
      const c = await ddb.send(
        new GetCommand({ TableName: tableName, Key: keys.contact(accountId, String(found.Item.contactId)) }),
      );
      if (c.Item) return contactSchema.parse(c.Item);
    }
    const phone = who.waId ? canonicalPhone(who.waId) : undefined;
    const contact: Contact = {
      id: newId(),
      accountId,
      name: who.name ?? (phone ? `+${phone}` : 'Cliente'),
      ...(phone ? { phone } : {}),
      ...(who.waId ? { waId: who.waId } : {}),
      ...(who.userId ? { userId: who.userId } : {}),
      createdAt: now,
    };
    try {
      await ddb.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tableName,
                Item: { ...lookup, contactId: contact.id },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            { Put: { TableName: tableName, Item: { ...keys.contact(accountId, contact.id), ...contact } } },
          ],
        }),
      );
      if (who.waId && who.userId) {
        // Remember the business-scoped id too, so a later message without wa_id finds this contact.
        await ddb
          .send(
            new PutCommand({
              TableName: tableName,
              Item: { ...keys.contactByUserId(accountId, who.userId), contactId: contact.id },
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          )
          .catch(() => undefined);
      }
      return contact;
    } catch (err) {
      if (!(err instanceof TransactionCanceledException)) throw err;
      // Another message of the same person won the race: read its contact.
    }
  }
  throw new Error('Could not find or create the contact');
}
