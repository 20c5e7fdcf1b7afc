/**
 * The REST API, as a table: method, path, who may call it, the zod schemas of its input
 * and output, and the service it calls. The router (router.ts) validates with these
 * schemas, the OpenAPI document (openapi.ts) is generated from them, and the cross-account
 * test walks every entry.
 */
import type { z } from 'zod';
import type { AccessClaims } from '#shared/auth/tokens.ts';
import type { ApiDeps } from './deps.ts';
import * as schemas from './schemas.ts';
import { login, logout, me, refresh } from './auth-service.ts';
import {
  assignConversation,
  closeNow,
  getOwnConversation,
  inboxCounts,
  listInbox,
  markAnswered,
  markRead,
  markUnread,
  postpone,
  reactivateBot,
  searchMessages,
} from './conversations-service.ts';
import { addUser, listUsers, updateUser } from './users-service.ts';
import {
  addKnowledgeDocument,
  aiConversationsCsv,
  createAssistant,
  createKnowledgeBase,
  deleteAssistant,
  deleteKnowledgeBase,
  deleteKnowledgeDocument,
  listAiConversations,
  listKnowledgeBases,
  listKnowledgeDocuments,
  readAiSettings,
  renameKnowledgeBase,
  sendTestMessage,
  startTest,
  trySearch,
  updateAssistant,
  writeAiSettings,
} from './ai-service.ts';
import { download } from '#shared/http/response.ts';
import { listConversationMessages, sendAgentMessage } from './messages-service.ts';
import { createUpload } from './uploads-service.ts';
import {
  addDepartment,
  addNumber,
  getAccountNumber,
  getSettings,
  listAccountAssistants,
  listAccountDepartments,
  listAccountNumbers,
  renameDepartment,
  updateAccountNumber,
  updateSettings,
} from './integrations-service.ts';
import { buildOpenApiDocument } from './openapi.ts';

export interface RouteContext<P, Q, B> {
  deps: ApiDeps;
  params: P;
  query: Q;
  body: B;
  /** The caller's claims; reading it on a public route throws UnauthorizedError. */
  auth: AccessClaims;
}

type AnyObject = z.ZodObject;

export interface RouteDef<
  P extends AnyObject | undefined = AnyObject | undefined,
  Q extends AnyObject | undefined = AnyObject | undefined,
  B extends z.ZodType | undefined = z.ZodType | undefined,
> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** OpenAPI-style path, `{name}` for parameters. */
  path: string;
  operationId: string;
  summary: string;
  tags: string[];
  /** No token needed (login, refresh, the OpenAPI document). */
  public?: boolean;
  params?: P;
  query?: Q;
  body?: B;
  response: { status: number; description: string; schema?: z.ZodType };
  /** Error statuses worth documenting besides 400/401. */
  errors?: number[];
  handle: (
    ctx: RouteContext<
      P extends AnyObject ? z.output<P> : undefined,
      Q extends AnyObject ? z.output<Q> : undefined,
      B extends z.ZodType ? z.output<B> : undefined
    >,
  ) => Promise<unknown>;
}

/** Keeps each route's handler typed by its own schemas inside one heterogeneous table. */
function route<
  P extends AnyObject | undefined = undefined,
  Q extends AnyObject | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(def: RouteDef<P, Q, B>): RouteDef {
  return def as unknown as RouteDef;
}

const idParams = schemas.conversationParamsSchema;

export const routes: RouteDef[] = [
  route({
    method: 'POST',
    path: '/api/auth/login',
    operationId: 'login',
    summary: 'Entrar com e-mail e senha',
    tags: ['auth'],
    public: true,
    body: schemas.loginBodySchema,
    response: { status: 200, description: 'Tokens da sessão', schema: schemas.tokenResponseSchema },
    handle: ({ deps, body }) => login(deps, body),
  }),
  route({
    method: 'POST',
    path: '/api/auth/refresh',
    operationId: 'refresh',
    summary: 'Trocar o refresh token por novos tokens (o antigo deixa de valer)',
    tags: ['auth'],
    public: true,
    body: schemas.refreshBodySchema,
    response: { status: 200, description: 'Novos tokens', schema: schemas.tokenResponseSchema },
    handle: ({ deps, body }) => refresh(deps, body),
  }),
  route({
    method: 'POST',
    path: '/api/auth/logout',
    operationId: 'logout',
    summary: 'Encerrar a sessão do refresh token',
    tags: ['auth'],
    body: schemas.refreshBodySchema,
    response: { status: 204, description: 'Sessão encerrada' },
    handle: ({ deps, auth, body }) => logout(deps, auth, body),
  }),
  route({
    method: 'GET',
    path: '/api/me',
    operationId: 'getMe',
    summary: 'Usuário conectado',
    tags: ['auth'],
    response: { status: 200, description: 'O usuário e sua conta', schema: schemas.meResponseSchema },
    handle: ({ deps, auth }) => me(deps, auth),
  }),
  route({
    method: 'GET',
    path: '/api/conversations',
    operationId: 'listConversations',
    summary:
      'Conversas de uma visão (todos, abertos, meus, em atendimento), com filtros, ordenação e busca por nome, telefone ou protocolo',
    tags: ['conversations'],
    query: schemas.conversationListQuerySchema,
    response: {
      status: 200,
      description: 'Uma página de conversas (pode vir incompleta: siga nextCursor)',
      schema: schemas.conversationListSchema,
    },
    handle: ({ deps, auth, query }) => listInbox(deps, auth, query),
  }),
  route({
    method: 'GET',
    path: '/api/conversations/counts',
    operationId: 'countConversations',
    summary: 'Quantas conversas há em Abertos, Meus e Em atendimento',
    tags: ['conversations'],
    response: { status: 200, description: 'As contagens', schema: schemas.viewCountsSchema },
    handle: ({ deps, auth }) => inboxCounts(deps, auth),
  }),
  route({
    method: 'GET',
    path: '/api/conversations/{id}',
    operationId: 'getConversation',
    summary: 'Uma conversa',
    tags: ['conversations'],
    params: idParams,
    response: { status: 200, description: 'A conversa', schema: schemas.apiConversationSchema },
    errors: [404],
    handle: ({ deps, auth, params }) => getOwnConversation(deps, auth, params.id),
  }),
  route({
    method: 'GET',
    path: '/api/conversations/{id}/messages',
    operationId: 'listMessages',
    summary: 'Mensagens da conversa (cada página da mais antiga para a mais recente)',
    tags: ['messages'],
    params: idParams,
    query: schemas.messageListQuerySchema,
    response: { status: 200, description: 'Uma página de mensagens', schema: schemas.messageListSchema },
    errors: [404],
    handle: ({ deps, auth, params, query }) => listConversationMessages(deps, auth, params.id, query),
  }),
  route({
    method: 'POST',
    path: '/api/conversations/{id}/messages',
    operationId: 'sendMessage',
    summary: 'Enviar mensagem (texto ou anexo) ao contato',
    tags: ['messages'],
    params: idParams,
    body: schemas.sendMessageBodySchema,
    response: {
      status: 202,
      description: 'Mensagem na fila de envio (status pending)',
      schema: schemas.apiMessageSchema,
    },
    errors: [404, 409],
    handle: ({ deps, auth, params, body }) => sendAgentMessage(deps, auth, params.id, body),
  }),
  route({
    method: 'POST',
    path: '/api/conversations/{id}/read',
    operationId: 'markConversationRead',
    summary: 'Marcar a conversa como lida',
    tags: ['conversations'],
    params: idParams,
    response: {
      status: 200,
      description: 'A conversa, com unread = 0',
      schema: schemas.apiConversationSchema,
    },
    errors: [404],
    handle: ({ deps, auth, params }) => markRead(deps, auth, params.id),
  }),
  route({
    method: 'POST',
    path: '/api/conversations/{id}/unread',
    operationId: 'markConversationUnread',
    summary: 'Marcar a conversa como não lida',
    tags: ['conversations'],
    params: idParams,
    response: { status: 200, description: 'A conversa', schema: schemas.apiConversationSchema },
    errors: [404],
    handle: ({ deps, auth, params }) => markUnread(deps, auth, params.id),
  }),
  route({
    method: 'POST',
    path: '/api/conversations/{id}/answered',
    operationId: 'markConversationAnswered',
    summary: 'Marcar a conversa como respondida ou não respondida',
    tags: ['conversations'],
    params: idParams,
    body: schemas.answeredBodySchema,
    response: { status: 200, description: 'A conversa', schema: schemas.apiConversationSchema },
    errors: [404],
    handle: ({ deps, auth, params, body }) => markAnswered(deps, auth, params.id, body.answered),
  }),
  route({
    method: 'POST',
    path: '/api/conversations/{id}/assign',
    operationId: 'assignConversation',
    summary: 'Encaminhar a um agente (substituir pede confirmReplace) ou a um setor',
    tags: ['conversations'],
    params: idParams,
    body: schemas.assignBodySchema,
    response: { status: 200, description: 'A conversa', schema: schemas.apiConversationSchema },
    errors: [404, 409],
    handle: ({ deps, auth, params, body }) => assignConversation(deps, auth, params.id, body),
  }),
  route({
    method: 'POST',
    path: '/api/conversations/{id}/close',
    operationId: 'closeConversation',
    summary: 'Encerrar o atendimento agora (tira agente e setor)',
    tags: ['conversations'],
    params: idParams,
    response: { status: 200, description: 'A conversa encerrada', schema: schemas.apiConversationSchema },
    errors: [404, 409],
    handle: ({ deps, auth, params }) => closeNow(deps, auth, params.id),
  }),
  route({
    method: 'POST',
    path: '/api/conversations/{id}/postpone',
    operationId: 'postponeConversation',
    summary: 'Adiar a conversa até uma data e hora (sai das listas abertas e volta então)',
    tags: ['conversations'],
    params: idParams,
    body: schemas.postponeBodySchema,
    response: {
      status: 200,
      description: 'A conversa; warnWindow quando a data passa da janela de 24 h',
      schema: schemas.postponeResponseSchema,
    },
    errors: [404, 409],
    handle: ({ deps, auth, params, body }) => postpone(deps, auth, params.id, body.until),
  }),
  route({
    method: 'POST',
    path: '/api/conversations/{id}/bot',
    operationId: 'reactivateBot',
    summary: 'Reativar o bot: a próxima mensagem do cliente segue o direcionamento do número',
    tags: ['conversations'],
    params: idParams,
    response: { status: 200, description: 'A conversa', schema: schemas.apiConversationSchema },
    errors: [404, 409],
    handle: ({ deps, auth, params }) => reactivateBot(deps, auth, params.id),
  }),
  route({
    method: 'GET',
    path: '/api/conversations/{id}/search',
    operationId: 'searchMessages',
    summary: 'Buscar um trecho nas mensagens da conversa',
    tags: ['messages'],
    params: idParams,
    query: schemas.messageSearchQuerySchema,
    response: { status: 200, description: 'As mensagens encontradas', schema: schemas.messageSearchSchema },
    errors: [404],
    handle: ({ deps, auth, params, query }) => searchMessages(deps, auth, params.id, query.q),
  }),
  route({
    method: 'GET',
    path: '/api/users',
    operationId: 'listUsers',
    summary: 'Usuários da conta (equipe)',
    tags: ['team'],
    response: { status: 200, description: 'Os usuários', schema: schemas.userListSchema },
    handle: ({ deps, auth }) => listUsers(deps, auth),
  }),
  route({
    method: 'POST',
    path: '/api/users',
    operationId: 'createUser',
    summary: 'Criar um usuário (administradores)',
    tags: ['team'],
    body: schemas.createUserBodySchema,
    response: { status: 201, description: 'O usuário', schema: schemas.apiUserSchema },
    errors: [403, 409],
    handle: ({ deps, auth, body }) => addUser(deps, auth, body),
  }),
  route({
    method: 'PATCH',
    path: '/api/users/{id}',
    operationId: 'updateUser',
    summary: 'Mudar nome, papel, setores, permissões ou senha de um usuário (administradores)',
    tags: ['team'],
    params: schemas.userParamsSchema,
    body: schemas.updateUserBodySchema,
    response: { status: 200, description: 'O usuário', schema: schemas.apiUserSchema },
    errors: [403, 404, 409],
    handle: ({ deps, auth, params, body }) => updateUser(deps, auth, params.id, body),
  }),
  route({
    method: 'POST',
    path: '/api/uploads',
    operationId: 'createUpload',
    summary: 'Obter URL para enviar um anexo direto ao armazenamento',
    tags: ['messages'],
    body: schemas.uploadBodySchema,
    response: { status: 201, description: 'URL de envio (PUT)', schema: schemas.uploadResponseSchema },
    errors: [413],
    handle: ({ deps, auth, body }) => createUpload(deps, auth, body),
  }),
  route({
    method: 'GET',
    path: '/api/numbers',
    operationId: 'listNumbers',
    summary: 'Números de WhatsApp da conta, com estatísticas (sem tokens)',
    tags: ['integrations'],
    response: { status: 200, description: 'Os números', schema: schemas.numberListSchema },
    handle: ({ deps, auth }) => listAccountNumbers(deps, auth),
  }),
  route({
    method: 'POST',
    path: '/api/numbers',
    operationId: 'createNumber',
    summary: 'Conectar um número de WhatsApp (administradores)',
    tags: ['integrations'],
    body: schemas.createNumberBodySchema,
    response: { status: 201, description: 'O número', schema: schemas.apiNumberSchema },
    errors: [403, 409],
    handle: ({ deps, auth, body }) => addNumber(deps, auth, body),
  }),
  route({
    method: 'GET',
    path: '/api/numbers/{id}',
    operationId: 'getNumber',
    summary: 'Um número de WhatsApp, com estatísticas',
    tags: ['integrations'],
    params: schemas.numberParamsSchema,
    response: { status: 200, description: 'O número', schema: schemas.apiNumberSchema },
    errors: [404],
    handle: ({ deps, auth, params }) => getAccountNumber(deps, auth, params.id),
  }),
  route({
    method: 'PATCH',
    path: '/api/numbers/{id}',
    operationId: 'updateNumber',
    summary: 'Mudar nome, número, cor, direcionamento, filtros ou token (administradores)',
    tags: ['integrations'],
    params: schemas.numberParamsSchema,
    body: schemas.updateNumberBodySchema,
    response: { status: 200, description: 'O número', schema: schemas.apiNumberSchema },
    errors: [403, 404],
    handle: ({ deps, auth, params, body }) => updateAccountNumber(deps, auth, params.id, body),
  }),
  route({
    method: 'GET',
    path: '/api/departments',
    operationId: 'listDepartments',
    summary: 'Setores da conta',
    tags: ['integrations'],
    response: { status: 200, description: 'Os setores', schema: schemas.departmentListSchema },
    handle: ({ deps, auth }) => listAccountDepartments(deps, auth),
  }),
  route({
    method: 'POST',
    path: '/api/departments',
    operationId: 'createDepartment',
    summary: 'Criar um setor (administradores)',
    tags: ['integrations'],
    body: schemas.createDepartmentBodySchema,
    response: { status: 201, description: 'O setor', schema: schemas.apiDepartmentSchema },
    errors: [403],
    handle: ({ deps, auth, body }) => addDepartment(deps, auth, body),
  }),
  route({
    method: 'PATCH',
    path: '/api/departments/{id}',
    operationId: 'renameDepartment',
    summary: 'Renomear um setor',
    tags: ['integrations'],
    params: schemas.departmentParamsSchema,
    body: schemas.createDepartmentBodySchema,
    response: { status: 200, description: 'O setor', schema: schemas.apiDepartmentSchema },
    errors: [403, 404],
    handle: ({ deps, auth, params, body }) => renameDepartment(deps, auth, params.id, body),
  }),
  route({
    method: 'GET',
    path: '/api/assistants',
    operationId: 'listAssistants',
    summary: 'Assistentes de IA da conta',
    tags: ['integrations'],
    response: { status: 200, description: 'Os assistentes', schema: schemas.assistantListSchema },
    handle: ({ deps, auth }) => listAccountAssistants(deps, auth),
  }),
  route({
    method: 'POST',
    path: '/api/assistants',
    operationId: 'createAssistant',
    summary: 'Criar um assistente de IA',
    tags: ['ai'],
    body: schemas.assistantBodySchema,
    response: { status: 201, description: 'O assistente', schema: schemas.apiAssistantSchema },
    errors: [403],
    handle: ({ deps, auth, body }) => createAssistant(deps, auth, body),
  }),
  route({
    method: 'PATCH',
    path: '/api/assistants/{id}',
    operationId: 'updateAssistant',
    summary: 'Mudar um assistente (prompt, modelo, ferramentas, bases, horários…)',
    tags: ['ai'],
    params: schemas.assistantParamsSchema,
    body: schemas.assistantPatchSchema,
    response: { status: 200, description: 'O assistente', schema: schemas.apiAssistantSchema },
    errors: [403, 404],
    handle: ({ deps, auth, params, body }) => updateAssistant(deps, auth, params.id, body),
  }),
  route({
    method: 'DELETE',
    path: '/api/assistants/{id}',
    operationId: 'deleteAssistant',
    summary: 'Apagar um assistente',
    tags: ['ai'],
    params: schemas.assistantParamsSchema,
    response: { status: 204, description: 'Apagado' },
    errors: [403, 404],
    handle: ({ deps, auth, params }) => deleteAssistant(deps, auth, params.id),
  }),
  route({
    method: 'POST',
    path: '/api/assistants/{id}/test',
    operationId: 'startAssistantTest',
    summary: 'Começar uma conversa de teste com o assistente (sem WhatsApp)',
    tags: ['ai'],
    params: schemas.assistantParamsSchema,
    response: { status: 201, description: 'A conversa de teste', schema: schemas.testStartSchema },
    errors: [403, 404],
    handle: ({ deps, auth, params }) => startTest(deps, auth, params.id),
  }),
  route({
    method: 'POST',
    path: '/api/assistants/{id}/test/{conversationId}/messages',
    operationId: 'sendAssistantTestMessage',
    summary: 'Escrever ao assistente na conversa de teste (a resposta chega pelo WebSocket)',
    tags: ['ai'],
    params: schemas.testConversationParamsSchema,
    body: schemas.testMessageBodySchema,
    response: { status: 202, description: 'A mensagem do testador', schema: schemas.apiMessageSchema },
    errors: [403, 404],
    handle: ({ deps, auth, params, body }) =>
      sendTestMessage(deps, auth, params.id, params.conversationId, body.text),
  }),
  route({
    method: 'GET',
    path: '/api/ai/settings',
    operationId: 'getAiSettings',
    summary: 'Conexão com o modelo de linguagem e tabela de preços (a chave nunca é mostrada)',
    tags: ['ai'],
    response: { status: 200, description: 'As configurações de IA', schema: schemas.aiSettingsSchema },
    handle: ({ deps, auth }) => readAiSettings(deps, auth),
  }),
  route({
    method: 'PATCH',
    path: '/api/ai/settings',
    operationId: 'updateAiSettings',
    summary: 'Mudar a URL compatível com OpenAI, a chave (só escrita), o modelo de embeddings ou os preços',
    tags: ['ai'],
    body: schemas.aiSettingsBodySchema,
    response: { status: 200, description: 'As configurações de IA', schema: schemas.aiSettingsSchema },
    errors: [403],
    handle: ({ deps, auth, body }) => writeAiSettings(deps, auth, body),
  }),
  route({
    method: 'GET',
    path: '/api/ai/conversations',
    operationId: 'listAiConversations',
    summary: 'Conversas atendidas por assistentes (filtros; exporta CSV ou JSON)',
    tags: ['ai'],
    query: schemas.aiConversationsQuerySchema,
    response: { status: 200, description: 'Os atendimentos', schema: schemas.aiConversationListSchema },
    handle: async ({ deps, auth, query }) => {
      const list = await listAiConversations(deps, auth, query);
      return query.format === 'csv'
        ? download('conversas-assistentes.csv', 'text/csv; charset=utf-8', aiConversationsCsv(list.items))
        : list;
    },
  }),
  route({
    method: 'GET',
    path: '/api/knowledge-bases',
    operationId: 'listKnowledgeBases',
    summary: 'Bases de conhecimento da conta',
    tags: ['ai'],
    response: { status: 200, description: 'As bases', schema: schemas.knowledgeBaseListSchema },
    handle: ({ deps, auth }) => listKnowledgeBases(deps, auth),
  }),
  route({
    method: 'POST',
    path: '/api/knowledge-bases',
    operationId: 'createKnowledgeBase',
    summary: 'Criar uma base de conhecimento',
    tags: ['ai'],
    body: schemas.createDepartmentBodySchema,
    response: { status: 201, description: 'A base', schema: schemas.apiKnowledgeBaseSchema },
    errors: [403],
    handle: ({ deps, auth, body }) => createKnowledgeBase(deps, auth, body),
  }),
  route({
    method: 'PATCH',
    path: '/api/knowledge-bases/{id}',
    operationId: 'renameKnowledgeBase',
    summary: 'Renomear uma base de conhecimento',
    tags: ['ai'],
    params: schemas.knowledgeBaseParamsSchema,
    body: schemas.createDepartmentBodySchema,
    response: { status: 200, description: 'A base', schema: schemas.apiKnowledgeBaseSchema },
    errors: [403, 404],
    handle: ({ deps, auth, params, body }) => renameKnowledgeBase(deps, auth, params.id, body),
  }),
  route({
    method: 'DELETE',
    path: '/api/knowledge-bases/{id}',
    operationId: 'deleteKnowledgeBase',
    summary: 'Apagar uma base de conhecimento (se nenhum assistente a usa)',
    tags: ['ai'],
    params: schemas.knowledgeBaseParamsSchema,
    response: { status: 204, description: 'Apagada' },
    errors: [403, 404, 409],
    handle: ({ deps, auth, params }) => deleteKnowledgeBase(deps, auth, params.id),
  }),
  route({
    method: 'GET',
    path: '/api/knowledge-bases/{id}/documents',
    operationId: 'listKnowledgeDocuments',
    summary: 'Documentos da base, com o andamento da leitura',
    tags: ['ai'],
    params: schemas.knowledgeBaseParamsSchema,
    response: { status: 200, description: 'Os documentos', schema: schemas.kbDocumentListSchema },
    errors: [404],
    handle: ({ deps, auth, params }) => listKnowledgeDocuments(deps, auth, params.id),
  }),
  route({
    method: 'POST',
    path: '/api/knowledge-bases/{id}/documents',
    operationId: 'addKnowledgeDocument',
    summary: 'Adicionar um documento enviado (.txt, .md, .pdf); a leitura segue em segundo plano',
    tags: ['ai'],
    params: schemas.knowledgeBaseParamsSchema,
    body: schemas.addKbDocumentBodySchema,
    response: { status: 202, description: 'O documento, na fila', schema: schemas.apiKbDocumentSchema },
    errors: [403, 404],
    handle: ({ deps, auth, params, body }) => addKnowledgeDocument(deps, auth, params.id, body),
  }),
  route({
    method: 'DELETE',
    path: '/api/knowledge-bases/{id}/documents/{docId}',
    operationId: 'deleteKnowledgeDocument',
    summary: 'Tirar um documento da base',
    tags: ['ai'],
    params: schemas.knowledgeDocParamsSchema,
    response: { status: 204, description: 'Removido' },
    errors: [403, 404],
    handle: ({ deps, auth, params }) => deleteKnowledgeDocument(deps, auth, params.id, params.docId),
  }),
  route({
    method: 'GET',
    path: '/api/knowledge-bases/{id}/search',
    operationId: 'searchKnowledgeBase',
    summary: 'Experimentar a busca na base',
    tags: ['ai'],
    params: schemas.knowledgeBaseParamsSchema,
    query: schemas.messageSearchQuerySchema,
    response: { status: 200, description: 'Os melhores trechos', schema: schemas.knowledgeSearchSchema },
    errors: [404],
    handle: ({ deps, auth, params, query }) => trySearch(deps, auth, params.id, query.q),
  }),
  route({
    method: 'GET',
    path: '/api/settings',
    operationId: 'getSettings',
    summary: 'Configurações da conta (fuso horário, fechamento automático)',
    tags: ['integrations'],
    response: { status: 200, description: 'As configurações', schema: schemas.settingsSchema },
    handle: ({ deps, auth }) => getSettings(deps, auth),
  }),
  route({
    method: 'PATCH',
    path: '/api/settings',
    operationId: 'updateSettings',
    summary: 'Mudar as configurações da conta (administradores)',
    tags: ['integrations'],
    body: schemas.updateSettingsBodySchema,
    response: { status: 200, description: 'As configurações', schema: schemas.settingsSchema },
    errors: [403],
    handle: ({ deps, auth, body }) => updateSettings(deps, auth, body),
  }),
  route({
    method: 'GET',
    path: '/api/openapi.json',
    operationId: 'getOpenApi',
    summary: 'Este documento OpenAPI',
    tags: ['meta'],
    public: true,
    response: { status: 200, description: 'OpenAPI 3.1', schema: schemas.openApiDocumentSchema },
    handle: async () => openApiDocument(),
  }),
];

let doc: Record<string, unknown> | undefined;
/** Generated once per process, from this table. */
export function openApiDocument(): Record<string, unknown> {
  doc ??= buildOpenApiDocument(routes);
  return doc;
}
