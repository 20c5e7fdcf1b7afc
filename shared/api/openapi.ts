/**
 * /api/openapi.json, generated from the route table's zod schemas (zod-to-openapi reads
 * zod v4's `.meta({ id })` for component names), so the document cannot drift from
 * what the router validates.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import type { RouteDef } from './routes.ts';
import { errorResponseSchema } from './routes/common-schemas.ts';

const errorDescriptions: Record<number, string> = {
  400: 'Dados inválidos (VALIDATION_ERROR, INVALID_JSON, INVALID_CURSOR)',
  401: 'Sem token, token inválido ou expirado (UNAUTHORIZED, INVALID_CREDENTIALS)',
  404: 'Não encontrado nesta conta (NOT_FOUND)',
  409: 'Conflito (WINDOW_CLOSED: fora da janela de 24 horas)',
  413: 'Grande demais (FILE_TOO_LARGE)',
};

export function buildOpenApiDocument(routes: RouteDef[]): Record<string, unknown> {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  for (const r of routes) {
    const errorStatuses = [
      ...new Set([
        ...(r.body || r.query || r.params ? [400] : []),
        ...(r.public ? [] : [401]),
        ...(r.errors ?? []),
      ]),
    ];
    registry.registerPath({
      method: r.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete',
      path: r.path,
      operationId: r.operationId,
      summary: r.summary,
      tags: r.tags,
      security: r.public ? [] : [{ [bearer.name]: [] }],
      request: {
        ...(r.params ? { params: r.params } : {}),
        ...(r.query ? { query: r.query } : {}),
        ...(r.body ? { body: { required: true, content: { 'application/json': { schema: r.body } } } } : {}),
      },
      responses: {
        [r.response.status]: {
          description: r.response.description,
          ...(r.response.schema ? { content: { 'application/json': { schema: r.response.schema } } } : {}),
        },
        ...Object.fromEntries(
          errorStatuses.map((status) => [
            status,
            {
              description: errorDescriptions[status] ?? 'Erro',
              content: { 'application/json': { schema: errorResponseSchema } },
            },
          ]),
        ),
      },
    });
  }
  const generator = new OpenApiGeneratorV31(registry.definitions);
  return generator.generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Atende API',
      version: '0.1.0',
      description:
        'API REST do Atende (atendimento pelo WhatsApp). Erros: `{error: {code, message}}` com código estável e mensagem em pt-BR.',
    },
    servers: [{ url: '/' }],
  }) as unknown as Record<string, unknown>;
}
