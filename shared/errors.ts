/**
 * The error taxonomy. Services throw these; one middleware (shared/http/error-handler.ts)
 * turns them into `{error: {code, message}}` responses. `code` is stable (clients and
 * translations key on it); `message` is pt-BR, what the user reads. Anything that is not
 * an AppError, and any AppError with statusCode ≥ 500, reaches the client only as
 * INTERNAL_ERROR: internals are never exposed.
 */

export interface ErrorIssue {
  path: string;
  message: string;
}

export class AppError extends Error {
  readonly statusCode: number;
  readonly code: string;
  /** Field-level problems (validation only); safe to show. */
  readonly issues?: ErrorIssue[];

  constructor(
    statusCode: number,
    code: string,
    message: string,
    options?: { issues?: ErrorIssue[]; cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.statusCode = statusCode;
    this.code = code;
    if (options?.issues) this.issues = options.issues;
  }

  /** Only client errors carry their message to the client. */
  get expose(): boolean {
    return this.statusCode < 500;
  }
}

export class ValidationError extends AppError {
  constructor(message = 'Dados inválidos.', issues?: ErrorIssue[], code = 'VALIDATION_ERROR') {
    super(400, code, message, { issues });
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'Sessão inválida ou expirada. Entre novamente.', code = 'UNAUTHORIZED') {
    super(401, code, message);
  }
}

/** Same answer for an unknown e-mail and a wrong password: no account enumeration. */
export class InvalidCredentialsError extends AppError {
  constructor() {
    super(401, 'INVALID_CREDENTIALS', 'E-mail ou senha incorretos.');
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'Você não tem permissão para esta ação.', code = 'FORBIDDEN') {
    super(403, code, message);
  }
}

/** Also what another account's ids get: their existence is not revealed. */
export class NotFoundError extends AppError {
  constructor(message = 'Não encontrado.', code = 'NOT_FOUND') {
    super(404, code, message);
  }
}

export class MethodNotAllowedError extends AppError {
  constructor() {
    super(405, 'METHOD_NOT_ALLOWED', 'Método não permitido para este endereço.');
  }
}

export class ConflictError extends AppError {
  constructor(message = 'Conflito com o estado atual.', code = 'CONFLICT') {
    super(409, code, message);
  }
}

/** Outside the 24 h customer-service window only templates may be sent (Meta's rule). */
export class WindowClosedError extends AppError {
  constructor() {
    super(
      409,
      'WINDOW_CLOSED',
      'A janela de 24 horas está fechada: só é possível enviar modelos (templates).',
    );
  }
}

/**
 * A new chat (INB-12) for a contact who already has a conversation on that number: 409
 * CONVERSATION_EXISTS, with the conversation's id in `issues` (path `conversationId`) so
 * the client links to it.
 */
export class ConversationExistsError extends AppError {
  readonly conversationId: string;
  constructor(conversationId: string) {
    super(409, 'CONVERSATION_EXISTS', 'Conversa já existente.', {
      issues: [{ path: 'conversationId', message: conversationId }],
    });
    this.conversationId = conversationId;
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(message = 'Conteúdo grande demais.', code = 'PAYLOAD_TOO_LARGE') {
    super(413, code, message);
  }
}

export class TooManyRequestsError extends AppError {
  /** Sent as the Retry-After header (shared/http/error-handler.ts). */
  readonly retryAfterSeconds?: number;

  constructor(
    message = 'Muitas tentativas. Aguarde um pouco e tente novamente.',
    code = 'TOO_MANY_REQUESTS',
    retryAfterSeconds?: number,
  ) {
    super(429, code, message);
    if (retryAfterSeconds !== undefined) this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Login throttling (shared/domain/login-throttle.ts): wait `retryAfterSeconds`. */
export class TooManyAttemptsError extends TooManyRequestsError {
  constructor(retryAfterSeconds: number) {
    const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
    super(
      `Muitas tentativas de login. Tente novamente em ${minutes} ${minutes === 1 ? 'minuto' : 'minutos'}.`,
      'TOO_MANY_ATTEMPTS',
      retryAfterSeconds,
    );
  }
}

export class InternalError extends AppError {
  constructor(cause?: unknown) {
    super(500, 'INTERNAL_ERROR', 'Erro interno. Tente novamente em instantes.', { cause });
  }
}

export interface ErrorBody {
  error: { code: string; message: string; issues?: ErrorIssue[] };
}

/** Status and body the client gets for any thrown value (≥ 500 hidden). */
export function toErrorResponse(err: unknown): { statusCode: number; body: ErrorBody } {
  if (err instanceof AppError && err.expose) {
    return {
      statusCode: err.statusCode,
      body: {
        error: { code: err.code, message: err.message, ...(err.issues ? { issues: err.issues } : {}) },
      },
    };
  }
  const internal = err instanceof AppError ? err : new InternalError();
  return {
    statusCode: internal.statusCode,
    body: { error: { code: 'INTERNAL_ERROR', message: new InternalError().message } },
  };
}

/**
 * Queue work that can never succeed (a body of the wrong shape, an item over DynamoDB's
 * 400 KB, a key too long): shared/queue/batch.ts sends the record to its dead-letter queue
 * at once, with `reason` = `<code>: <detail>` (code a stable English word, e.g.
 * INVALID_PAYLOAD or PERMANENT; detail short English, never a secret), and does not retry.
 */
export class PermanentError extends Error {
  override name = 'PermanentError';
  readonly code: string;
  constructor(detail: string, code = 'PERMANENT', options?: { cause?: unknown }) {
    super(detail, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/**
 * Queue work that should be tried again later (an in-doubt send waiting for Meta's status
 * webhook, a resource not ready yet): always retried with backoff until the retry horizon
 * (shared/domain/retry-policy.ts); `retryAfterSeconds` asks for at least that delay.
 */
export class RetryLaterError extends Error {
  override name = 'RetryLaterError';
  readonly retryAfterSeconds?: number;
  constructor(detail: string, options?: { retryAfterSeconds?: number; cause?: unknown }) {
    super(detail, options?.cause === undefined ? undefined : { cause: options.cause });
    if (options?.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
