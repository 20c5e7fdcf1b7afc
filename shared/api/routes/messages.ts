/** Routes: A conversation's messages, sending, uploads and message search. Assembled in shared/api/routes.ts. */
import { conversationParamsSchema } from './conversations.schemas.ts';
import {
  apiMessageSchema,
  messageListQuerySchema,
  messageListSchema,
  messageSearchQuerySchema,
  messageSearchSchema,
  sendMessageBodySchema,
  uploadBodySchema,
  uploadResponseSchema,
} from './messages.schemas.ts';
import { searchMessages } from '../conversations-service.ts';
import { listConversationMessages, sendAgentMessage } from '../messages-service.ts';
import { createUpload } from '../uploads-service.ts';
import { route, type RouteDef } from './route.ts';

const idParams = conversationParamsSchema;

export const messagesRoutes: RouteDef[] = [
  route({
    method: 'GET',
    path: '/api/conversations/{id}/messages',
    operationId: 'listMessages',
    summary: 'Mensagens da conversa (cada página da mais antiga para a mais recente)',
    tags: ['messages'],
    params: idParams,
    query: messageListQuerySchema,
    response: { status: 200, description: 'Uma página de mensagens', schema: messageListSchema },
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
    body: sendMessageBodySchema,
    response: {
      status: 202,
      description: 'Mensagem na fila de envio (status pending)',
      schema: apiMessageSchema,
    },
    errors: [404, 409],
    handle: ({ deps, auth, params, body }) => sendAgentMessage(deps, auth, params.id, body),
  }),
  route({
    method: 'GET',
    path: '/api/conversations/{id}/search',
    operationId: 'searchMessages',
    summary: 'Buscar um trecho nas mensagens da conversa',
    tags: ['messages'],
    params: idParams,
    query: messageSearchQuerySchema,
    response: { status: 200, description: 'As mensagens encontradas', schema: messageSearchSchema },
    errors: [404],
    handle: ({ deps, auth, params, query }) => searchMessages(deps, auth, params.id, query.q),
  }),
  route({
    method: 'POST',
    path: '/api/uploads',
    operationId: 'createUpload',
    summary: 'Obter URL para enviar um anexo direto ao armazenamento',
    tags: ['messages'],
    body: uploadBodySchema,
    response: { status: 201, description: 'URL de envio (PUT)', schema: uploadResponseSchema },
    errors: [413],
    handle: ({ deps, auth, body }) => createUpload(deps, auth, body),
  }),
];
