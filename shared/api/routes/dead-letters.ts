/** Routes: The dead-letters page (dead-letters-service.ts). Assembled in shared/api/routes.ts. */
import { deadLetterListSchema, deadLetterParamsSchema } from './dead-letters.schemas.ts';
import { discardDeadLetter, listDeadLetters, redriveDeadLetter } from '../dead-letters-service.ts';
import { route, type RouteDef } from './route.ts';

export const deadLettersRoutes: RouteDef[] = [
  route({
    method: 'GET',
    path: '/api/dead-letters',
    operationId: 'listDeadLetters',
    summary:
      'Falhas: mensagens e tarefas que o sistema desistiu de processar, com o motivo (administradores)',
    tags: ['dead-letters'],
    response: { status: 200, description: 'As falhas da conta', schema: deadLetterListSchema },
    errors: [403],
    handle: ({ deps, auth }) => listDeadLetters(deps, auth),
  }),
  route({
    method: 'POST',
    path: '/api/dead-letters/{queue}/{id}/redrive',
    operationId: 'redriveDeadLetter',
    summary: 'Reprocessar uma falha: volta para a fila de origem e sai da lista (administradores)',
    tags: ['dead-letters'],
    params: deadLetterParamsSchema,
    response: { status: 204, description: 'Devolvida à fila' },
    errors: [403, 404],
    handle: ({ deps, auth, params }) => redriveDeadLetter(deps, auth, params.queue, params.id),
  }),
  route({
    method: 'DELETE',
    path: '/api/dead-letters/{queue}/{id}',
    operationId: 'discardDeadLetter',
    summary: 'Descartar uma falha para sempre (administradores)',
    tags: ['dead-letters'],
    params: deadLetterParamsSchema,
    response: { status: 204, description: 'Descartada' },
    errors: [403, 404],
    handle: ({ deps, auth, params }) => discardDeadLetter(deps, auth, params.queue, params.id),
  }),
];
