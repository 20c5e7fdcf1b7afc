/**
 * Routes: message templates (MSG-5), a template in a chat (WIN-1) and a new chat (INB-12;
 * templates-service.ts). Assembled in shared/api/routes.ts.
 */
import {
  apiTemplateSchema,
  createTemplateBodySchema,
  sendTemplateBodySchema,
  startConversationBodySchema,
  startConversationSchema,
  syncTemplatesBodySchema,
  syncTemplatesSchema,
  templateListQuerySchema,
  templateListSchema,
} from './templates.schemas.ts';
import { conversationParamsSchema } from './conversations.schemas.ts';
import { apiMessageSchema } from './messages.schemas.ts';
import {
  createTemplate,
  listAccountTemplates,
  sendTemplateMessage,
  startConversation,
  syncTemplates,
} from '../templates-service.ts';
import { route, type RouteDef } from './route.ts';

export const templatesRoutes: RouteDef[] = [
  route({
    method: 'GET',
    path: '/api/templates',
    operationId: 'listTemplates',
    summary: 'Modelos de mensagem (templates) da conta, por número e status',
    tags: ['templates'],
    query: templateListQuerySchema,
    response: { status: 200, description: 'Os modelos', schema: templateListSchema },
    errors: [404],
    handle: ({ deps, auth, query }) => listAccountTemplates(deps, auth, query),
  }),
  route({
    method: 'POST',
    path: '/api/templates',
    operationId: 'createTemplate',
    summary: 'Criar um modelo e enviá-lo para a revisão da Meta (permissão de configurações)',
    tags: ['templates'],
    body: createTemplateBodySchema,
    response: { status: 201, description: 'O modelo, pendente de revisão', schema: apiTemplateSchema },
    errors: [403, 404, 503],
    handle: ({ deps, auth, body }) => createTemplate(deps, auth, body),
  }),
  route({
    method: 'POST',
    path: '/api/templates/sync',
    operationId: 'syncTemplates',
    summary: 'Sincronizar agora os modelos com a Meta',
    tags: ['templates'],
    body: syncTemplatesBodySchema,
    response: { status: 200, description: 'Os modelos como a Meta os tem', schema: syncTemplatesSchema },
    errors: [404, 503],
    handle: ({ deps, auth, body }) => syncTemplates(deps, auth, body),
  }),
  route({
    method: 'POST',
    path: '/api/conversations/{id}/template',
    operationId: 'sendTemplate',
    summary: 'Enviar um modelo na conversa (também com a janela de 24 horas fechada)',
    tags: ['messages'],
    params: conversationParamsSchema,
    body: sendTemplateBodySchema,
    response: { status: 202, description: 'Mensagem na fila de envio', schema: apiMessageSchema },
    errors: [404, 409],
    handle: ({ deps, auth, params, body }) => sendTemplateMessage(deps, auth, params.id, body),
  }),
  route({
    method: 'POST',
    path: '/api/conversations/start',
    operationId: 'startConversation',
    summary: 'Nova conversa: enviar um modelo a um telefone (409 "Conversa já existente")',
    tags: ['conversations'],
    body: startConversationBodySchema,
    response: {
      status: 201,
      description: 'A conversa criada e o modelo na fila',
      schema: startConversationSchema,
    },
    errors: [404, 409],
    handle: ({ deps, auth, body }) => startConversation(deps, auth, body),
  }),
];
