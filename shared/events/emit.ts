/**
 * The in-process dispatcher of domain events (shared/events/domain-events.ts). An action
 * changes state, then calls `emit(events, deps)`; every listener of
 * shared/events/listeners.ts sees every event, in the order the listeners are registered,
 * event after event.
 *
 * - A listener may answer with further events (the chat-log listener answers with the line
 *   it wrote): they are dispatched at once, before the next listener sees the current
 *   event, so what a later listener does (the socket push) includes them in order.
 * - A listener may gather what it does over the whole emission and do it once at the end
 *   (`start` + `flush`: the socket push sends one batch per account, as the actions did).
 * - A failing listener never stops the others. Its failure is logged; when its side effect
 *   matters (`onFailure: 'throw'`: the timers) the first such failure is thrown once every
 *   listener has run, so the caller fails — the queue redelivers the item, the API answers
 *   5xx — and the retry, idempotent, does it again.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import type { DynamoDBDocumentClient } from '#shared/store/client.ts';
import type { SchedulerTarget } from '#shared/engine/engine-deps.ts';
import { log as defaultLog, type LogLevel } from '#shared/log.ts';
import type { OutboundPolicy } from '#shared/net/outbound-url.ts';
import type { VapidKeys } from '#shared/push/web-push.ts';
import type { DomainEvent } from './domain-events.ts';

/** What the listeners need: a subset of both the engine's and the API's deps. */
export interface EventDeps {
  ddb: DynamoDBDocumentClient;
  tableName: string;
  s3?: S3Client;
  mediaBucket?: string;
  ws?: ApiGatewayManagementApiClient;
  scheduler?: SchedulerTarget;
  vapid?: () => Promise<VapidKeys | undefined>;
  outbound?: OutboundPolicy;
  now: () => number;
  newId: () => string;
  log?: (level: LogLevel, msg: string, data?: Record<string, unknown>) => void;
}

export type Emitted = DomainEvent[] | void;

export interface Listener<State = unknown> {
  name: string;
  /** 'throw': the caller fails after every listener ran (the queue retries); 'log': logged only. */
  onFailure: 'throw' | 'log';
  /** Fresh state for one emission (what `flush` does at its end). */
  start?: () => State;
  handle: (event: DomainEvent, deps: EventDeps, state: State) => Emitted | Promise<Emitted>;
  flush?: (deps: EventDeps, state: State) => Promise<void>;
}

/** A listener, typed by its state, as the registry holds it. */
export const listener = <S>(l: Listener<S>): Listener => l as Listener;

export type Emit = (events: DomainEvent[], deps: EventDeps) => Promise<void>;

export function createEmitter(listeners: readonly Listener[]): Emit {
  return async (events, deps) => {
    if (!events.length) return;
    const log = deps.log ?? defaultLog;
    const states = listeners.map((l) => l.start?.());
    let failure: unknown;
    const failed = (l: Listener, err: unknown, event?: DomainEvent) => {
      log(l.onFailure === 'throw' ? 'error' : 'warn', 'event listener failed', {
        listener: l.name,
        ...(event ? { event: event.type } : {}),
        error: (err as Error).message,
      });
      if (l.onFailure === 'throw' && failure === undefined) failure = err;
    };
    const dispatch = async (event: DomainEvent, depth: number): Promise<void> => {
      if (depth > 8) throw new Error(`events emitted in a loop (${event.type})`);
      for (let i = 0; i < listeners.length; i++) {
        const l = listeners[i]!;
        let more: Emitted;
        try {
          more = await l.handle(event, deps, states[i]);
        } catch (err) {
          failed(l, err, event);
          continue;
        }
        for (const next of more ?? []) await dispatch(next, depth + 1);
      }
    };
    for (const event of events) await dispatch(event, 0);
    for (let i = 0; i < listeners.length; i++) {
      const l = listeners[i]!;
      if (!l.flush) continue;
      try {
        await l.flush(deps, states[i]);
      } catch (err) {
        failed(l, err);
      }
    }
    if (failure !== undefined) throw failure;
  };
}
