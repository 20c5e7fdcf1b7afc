/**
 * The REST API, as a table: method, path, who may call it, the zod schemas of its input
 * and output, and the service it calls. The router (router.ts) validates with these
 * schemas, the OpenAPI document (openapi.ts) is generated from them, and the cross-account
 * test walks every entry.
 */
import { openApiDocumentSchema } from './routes/common-schemas.ts';
import { buildOpenApiDocument } from './openapi.ts';
import { route, type RouteDef } from './routes/route.ts';
import { authRoutes } from './routes/auth.ts';
import { conversationsRoutes } from './routes/conversations.ts';
import { messagesRoutes } from './routes/messages.ts';
import { teamRoutes } from './routes/team.ts';
import { deadLettersRoutes } from './routes/dead-letters.ts';
import { integrationsRoutes } from './routes/integrations.ts';
import { aiRoutes } from './routes/ai.ts';
import { quickRepliesRoutes } from './routes/quick-replies.ts';
import { templatesRoutes } from './routes/templates.ts';

export { route, type RouteContext, type RouteDef } from './routes/route.ts';

/**
 * The table's order: the router tries routes in it, the OpenAPI document lists paths in
 * it. Every route appears here once (checked when the table is built).
 */
const order = [
  'login',
  'refresh',
  'logout',
  'resetPassword',
  'changeOwnPassword',
  'getMe',
  'listConversations',
  'listCampaigns',
  'countConversations',
  'startConversation',
  'getConversation',
  'renameConversationContact',
  'listMessages',
  'sendMessage',
  'sendTemplate',
  'markConversationRead',
  'markConversationUnread',
  'markConversationAnswered',
  'assignConversation',
  'closeConversation',
  'postponeConversation',
  'reactivateBot',
  'stopBot',
  'searchMessages',
  'listUsers',
  'createUser',
  'updateUser',
  'deactivateUser',
  'reactivateUser',
  'deleteUser',
  'createPasswordResetLink',
  'listDeadLetters',
  'redriveDeadLetter',
  'discardDeadLetter',
  'getPushKey',
  'subscribePush',
  'unsubscribePush',
  'createUpload',
  'listNumbers',
  'createNumber',
  'getNumber',
  'updateNumber',
  'listDepartments',
  'createDepartment',
  'renameDepartment',
  'listAssistants',
  'createAssistant',
  'updateAssistant',
  'deleteAssistant',
  'startAssistantTest',
  'sendAssistantTestMessage',
  'startApiConversation',
  'sendApiConversationMessage',
  'getAiSettings',
  'updateAiSettings',
  'listAiConversations',
  'listAppointments',
  'listKnowledgeBases',
  'createKnowledgeBase',
  'renameKnowledgeBase',
  'deleteKnowledgeBase',
  'listKnowledgeDocuments',
  'addKnowledgeDocument',
  'deleteKnowledgeDocument',
  'searchKnowledgeBase',
  'listQuickReplies',
  'createQuickReply',
  'updateQuickReply',
  'deleteQuickReply',
  'approveQuickReply',
  'rejectQuickReply',
  'listTemplates',
  'createTemplate',
  'syncTemplates',
  'getSettings',
  'updateSettings',
  'getOpenApi',
];

const metaRoutes: RouteDef[] = [
  route({
    method: 'GET',
    path: '/api/openapi.json',
    operationId: 'getOpenApi',
    summary: 'Este documento OpenAPI',
    tags: ['meta'],
    public: true,
    response: { status: 200, description: 'OpenAPI 3.1', schema: openApiDocumentSchema },
    handle: async () => openApiDocument(),
  }),
];

function inOrder(groups: RouteDef[][]): RouteDef[] {
  const all = groups.flat();
  const byId = new Map(all.map((r) => [r.operationId, r]));
  if (byId.size !== all.length || all.length !== order.length || order.some((id) => !byId.has(id)))
    throw new Error('shared/api/routes.ts: the order list and the routes disagree');
  return order.map((id) => byId.get(id)!);
}

export const routes: RouteDef[] = inOrder([
  authRoutes,
  conversationsRoutes,
  messagesRoutes,
  teamRoutes,
  deadLettersRoutes,
  integrationsRoutes,
  aiRoutes,
  quickRepliesRoutes,
  templatesRoutes,
  metaRoutes,
]);

let doc: Record<string, unknown> | undefined;
/** Generated once per process, from this table. */
export function openApiDocument(): Record<string, unknown> {
  doc ??= buildOpenApiDocument(routes);
  return doc;
}
