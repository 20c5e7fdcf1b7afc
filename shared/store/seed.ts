/**
 * The demo tenant that `npm start` creates, so a fresh checkout has someone to log in as:
 * account "Atende Demo", admin demo@atende.local and agent agente@atende.local (both with
 * password `atende-demo`), and the WhatsApp number "Demo". Idempotent: a second run finds
 * the admin by e-mail and only brings the number's Meta ids and token up to date.
 */
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { hashPassword } from '#shared/auth/password.ts';
import { ConflictError } from '#shared/errors.ts';
import { createAccount } from './accounts.ts';
import { createUser, findUserByEmail } from './users.ts';
import { createNumber, findNumberByPhoneNumberId, listNumbers, updateNumberConnection } from './numbers.ts';
import { DEFAULT_INACTIVITY_HOURS, DEFAULT_TIMEZONE } from './types.ts';
import { putAssistant, putDepartment } from './catalog.ts';
import { keys } from './keys.ts';

export const DEMO_ACCOUNT_NAME = 'Atende Demo';
export const DEMO_ADMIN_EMAIL = 'demo@atende.local';
export const DEMO_AGENT_EMAIL = 'agente@atende.local';
export const DEMO_PASSWORD = 'atende-demo';
export const DEMO_NUMBER_NAME = 'Demo';
export const DEMO_NUMBER_COLOR = '#25D366';

export interface SeedDemoInput {
  ddb: DynamoDBDocumentClient;
  tableName: string;
  number: { phoneNumberId: string; displayPhone: string; wabaId: string; accessToken?: string };
  /** A second number that greets customers with a triage menu (the routing demo). */
  triageNumber?: { phoneNumberId: string; displayPhone: string; wabaId: string; accessToken?: string };
  now: number;
}

export interface SeedDemoResult {
  accountId: string;
  /** The admin's e-mail and password (shown by `npm start`). */
  email: string;
  password: string;
  /** False when the demo account already existed. */
  created: boolean;
}

/** Creates the demo account, users and number if missing. */
export async function seedDemo(input: SeedDemoInput): Promise<SeedDemoResult> {
  const { ddb, tableName, now } = input;
  const existing = await findUserByEmail(ddb, tableName, DEMO_ADMIN_EMAIL);
  if (existing) {
    await ensureDemoNumber(input, existing.accountId);
    return {
      accountId: existing.accountId,
      email: DEMO_ADMIN_EMAIL,
      password: DEMO_PASSWORD,
      created: false,
    };
  }

  const accountId = ulid(now);
  await createAccount(ddb, tableName, {
    id: accountId,
    name: DEMO_ACCOUNT_NAME,
    timezone: DEFAULT_TIMEZONE,
    inactivityHours: DEFAULT_INACTIVITY_HOURS,
    createdAt: now,
  });
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  try {
    await createUser(ddb, tableName, {
      id: ulid(now),
      accountId,
      name: 'Administrador Demo',
      email: DEMO_ADMIN_EMAIL,
      role: 'admin',
      passwordHash,
      departmentIds: [],
      createdAt: now,
    });
  } catch (err) {
    // Another process seeded at the same time: its account wins; ours stays empty.
    if (err instanceof ConflictError) return seedDemo(input);
    throw err;
  }
  await createUser(ddb, tableName, {
    id: ulid(now),
    accountId,
    name: 'Ana Agente',
    email: DEMO_AGENT_EMAIL,
    role: 'agent',
    passwordHash,
    departmentIds: [],
    createdAt: now,
  }).catch((err: unknown) => {
    if (!(err instanceof ConflictError)) throw err;
  });
  await ensureDemoNumber(input, accountId);
  await seedRoutingDemo(input, accountId);
  return { accountId, email: DEMO_ADMIN_EMAIL, password: DEMO_PASSWORD, created: true };
}

/** The demo account has one number with the configured Meta ids; updates it if they changed. */
async function ensureDemoNumber(input: SeedDemoInput, accountId: string): Promise<void> {
  const { ddb, tableName, number, now } = input;
  const owner = await findNumberByPhoneNumberId(ddb, tableName, number.phoneNumberId);
  if (owner && owner.accountId !== accountId) {
    throw new Error(`phone-number id ${number.phoneNumberId} belongs to another account`);
  }
  const demo =
    owner ?? (await listNumbers(ddb, tableName, accountId)).find((n) => n.name === DEMO_NUMBER_NAME);
  if (!demo) {
    await createNumber(ddb, tableName, {
      id: ulid(now),
      accountId,
      name: DEMO_NUMBER_NAME,
      phoneNumberId: number.phoneNumberId,
      wabaId: number.wabaId,
      displayPhone: number.displayPhone,
      color: DEMO_NUMBER_COLOR,
      accessToken: number.accessToken,
      createdAt: now,
    });
    return;
  }
  if (demo.phoneNumberId !== number.phoneNumberId) {
    // The configured phone-number id changed: the old number stays (its history with it)
    // and a new one receives the new id.
    await createNumber(ddb, tableName, {
      id: ulid(now),
      accountId,
      name: `${DEMO_NUMBER_NAME} ${number.displayPhone}`,
      phoneNumberId: number.phoneNumberId,
      wabaId: number.wabaId,
      displayPhone: number.displayPhone,
      color: DEMO_NUMBER_COLOR,
      accessToken: number.accessToken,
      createdAt: now,
    });
    return;
  }
  if (
    demo.displayPhone !== number.displayPhone ||
    demo.wabaId !== number.wabaId ||
    demo.accessToken !== number.accessToken
  ) {
    await updateNumberConnection(ddb, tableName, accountId, demo.id, {
      displayPhone: number.displayPhone,
      wabaId: number.wabaId,
      accessToken: number.accessToken,
    });
  }
}

/**
 * Departments Vendas and Suporte, an assistant, and (when given) the number "Triagem"
 * whose customers get a menu: buy → Vendas with an automatic message, support → Suporte,
 * questions → the assistant, with Suporte as its backup.
 */
async function seedRoutingDemo(input: SeedDemoInput, accountId: string): Promise<void> {
  const { ddb, tableName, now } = input;
  const vendas = await putDepartment(ddb, tableName, {
    id: ulid(now),
    accountId,
    name: 'Vendas',
    createdAt: now,
  });
  const suporte = await putDepartment(ddb, tableName, {
    id: ulid(now),
    accountId,
    name: 'Suporte',
    createdAt: now,
  });
  // The demo agent works in Suporte: she sees Suporte's chats and those of no department.
  const agent = await findUserByEmail(ddb, tableName, DEMO_AGENT_EMAIL);
  if (agent?.accountId === accountId)
    await ddb.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.user(accountId, agent.id),
        UpdateExpression: 'SET departmentIds = :d',
        ExpressionAttributeValues: { ':d': [suporte.id] },
      }),
    );
  const assistant = await putAssistant(ddb, tableName, {
    id: ulid(now),
    accountId,
    name: 'Assistente Virtual',
    enabled: true,
    createdAt: now,
  });
  const t = input.triageNumber;
  if (!t || (await findNumberByPhoneNumberId(ddb, tableName, t.phoneNumberId))) return;
  await createNumber(ddb, tableName, {
    id: ulid(now),
    accountId,
    name: 'Triagem',
    phoneNumberId: t.phoneNumberId,
    wabaId: t.wabaId,
    displayPhone: t.displayPhone,
    color: '#7C3AED',
    accessToken: t.accessToken,
    routing: {
      kind: 'menu',
      menu: {
        header: 'Atende Demo',
        body: 'Olá! Escolha uma opção para continuar o atendimento.',
        button: 'Ver opções',
        options: [
          {
            id: 'comprar',
            title: 'Comprar',
            description: 'Fale com o time de vendas',
            target: {
              kind: 'department',
              departmentId: vendas.id,
              autoMessage: 'Obrigado! Um vendedor já vai te atender.',
            },
          },
          {
            id: 'suporte',
            title: 'Suporte',
            description: 'Problemas com um pedido',
            target: { kind: 'department', departmentId: suporte.id },
          },
          {
            id: 'duvidas',
            title: 'Dúvidas',
            description: 'Nosso assistente responde',
            target: { kind: 'assistant', assistantId: assistant.id, backupDepartmentId: suporte.id },
          },
        ],
      },
    },
    createdAt: now,
  });
}
