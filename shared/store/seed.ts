/**
 * The demo tenant that `npm start` creates, so a fresh checkout has someone to log in as:
 * account "Atende Demo", admin demo@atende.local and agent agente@atende.local (both with
 * password `atende-demo`), and the WhatsApp number "Demo". Idempotent: a second run finds
 * the admin by e-mail and only brings the number's Meta ids and token up to date.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ingestDocument, putDocument } from '#shared/assistant/knowledge.ts';
import { ulid } from 'ulid';
import { hashPassword } from '#shared/auth/password.ts';
import { ConflictError } from '#shared/errors.ts';
import { createAccount } from './accounts.ts';
import { createUser, findUserByEmail } from './users.ts';
import { createNumber, findNumberByPhoneNumberId, listNumbers, updateNumberConnection } from './numbers.ts';
import { DEFAULT_INACTIVITY_HOURS, DEFAULT_TIMEZONE } from './types.ts';
import { putAssistant, putDepartment } from './catalog.ts';
import { keys } from './keys.ts';
import { DEMO_TEMPLATES } from './demo/templates.ts';
import { templateFromGraph } from '#shared/domain/templates.ts';
import { replaceWabaTemplates } from './templates.ts';

export const DEMO_ACCOUNT_NAME = 'Atende Demo';
export const DEMO_ADMIN_EMAIL = 'demo@atende.local';
export const DEMO_AGENT_EMAIL = 'agente@atende.local';
export const DEMO_PASSWORD = 'atende-demo';
export const DEMO_NUMBER_NAME = 'Demo';
export const DEMO_NUMBER_COLOR = '#25D366';

export interface SeedDemoInput {
  ddb: DynamoDBDocumentClient;
  tableName: string;
  /** The demo numbers use the deployment's Graph API token (the `whatsapp` secret). */
  number: { phoneNumberId: string; displayPhone: string; wabaId: string };
  /** A second number that greets customers with a triage menu (the routing demo). */
  triageNumber?: { phoneNumberId: string; displayPhone: string; wabaId: string };
  /** Where the demo knowledge base's document goes (the assistant answers from it, AI-4). */
  knowledge?: { s3: S3Client; mediaBucket: string };
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
    await seedDemoTemplates(input, existing.accountId);
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
  await seedDemoTemplates(input, accountId);
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
      createdAt: now,
    });
    return;
  }
  if (demo.displayPhone !== number.displayPhone || demo.wabaId !== number.wabaId) {
    await updateNumberConnection(ddb, tableName, accountId, demo.id, {
      displayPhone: number.displayPhone,
      wabaId: number.wabaId,
    });
  }
}

/**
 * Departments Vendas and Suporte, an assistant, and (when given) the number "Triagem"
 * whose customers get a menu: buy → Vendas with an automatic message, support → Suporte,
 * questions → the assistant, with Suporte as its backup.
 */
/**
 * The demo WABA's approved templates (shared/store/demo/templates.ts, which the simulator
 * lists too), stored as a sync would: the picker has them before anyone syncs.
 */
async function seedDemoTemplates(input: SeedDemoInput, accountId: string): Promise<void> {
  const { wabaId } = input.number;
  const templates = DEMO_TEMPLATES.flatMap((t) => {
    const stored = templateFromGraph(t, { accountId, wabaId, now: input.now });
    return stored ? [stored] : [];
  });
  await replaceWabaTemplates(input.ddb, input.tableName, accountId, wabaId, templates);
}

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
  const knowledgeBaseId = input.knowledge ? await seedKnowledge(input, accountId) : undefined;
  const assistant = await putAssistant(ddb, tableName, {
    id: ulid(now),
    accountId,
    name: 'Assistente Virtual',
    enabled: true,
    systemPrompt:
      'Você é o assistente virtual da Atende Demo, uma loja online. Responda dúvidas sobre pedidos, entregas, pagamentos e trocas usando a base de conhecimento. Quando o cliente pedir uma pessoa ou o assunto exigir, transfira para o setor Suporte.',
    tools: ['transfer_to_human', 'search_knowledge_base'],
    knowledgeBaseIds: knowledgeBaseId ? [knowledgeBaseId] : [],
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

/** The demo knowledge base: the store's FAQ (shared/store/demo/faq.md), stored and indexed. */
async function seedKnowledge(input: SeedDemoInput, accountId: string): Promise<string> {
  const { ddb, tableName, now } = input;
  const { s3, mediaBucket } = input.knowledge!;
  const body = readFileSync(join(import.meta.dirname, 'demo/faq.md'));
  const kbId = ulid(now);
  const docId = ulid(now);
  const key = `acc/${accountId}/uploads/${docId}`;
  await ddb.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...keys.knowledgeBase(accountId, kbId),
        id: kbId,
        accountId,
        name: 'Perguntas frequentes',
        documents: 0,
        passages: 0,
        createdAt: now,
      },
    }),
  );
  await s3.send(
    new PutObjectCommand({ Bucket: mediaBucket, Key: key, Body: body, ContentType: 'text/markdown' }),
  );
  const deps = { ddb, tableName, s3, mediaBucket, now: () => now };
  await putDocument(deps, {
    id: docId,
    accountId,
    knowledgeBaseId: kbId,
    filename: 'perguntas-frequentes.md',
    mimeType: 'text/markdown',
    size: body.length,
    key,
    status: 'queued',
    progress: 0,
    passages: 0,
    createdAt: now,
  });
  await ingestDocument({ kind: 'ingest', accountId, knowledgeBaseId: kbId, documentId: docId }, deps);
  return kbId;
}
