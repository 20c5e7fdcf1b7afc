/**
 * The domain events' dispatcher (shared/events/emit.ts): listeners run in their order,
 * event after event; events a listener answers with are dispatched before the next
 * listener; a failing listener never stops the others, and only a listener whose side
 * effect matters ('throw') fails the caller, once all have run.
 */
import { describe, expect, test } from 'vitest';
import assert from 'node:assert/strict';
import { createEmitter, listener, type EventDeps, type Listener } from '#shared/events/emit.ts';
import type { DomainEvent } from '#shared/events/domain-events.ts';
import type { Conversation, Message } from '#shared/store/types.ts';

const conversation = { id: 'c1', accountId: 'a1' } as Conversation;
const message = (id: string) => ({ id, accountId: 'a1', conversationId: 'c1' }) as Message;
const logged: { level: string; msg: string; data?: Record<string, unknown> }[] = [];
const deps = {
  now: () => 0,
  newId: () => 'x',
  log: (level: string, msg: string, data?: Record<string, unknown>) =>
    void logged.push({ level, msg, ...(data ? { data } : {}) }),
} as unknown as EventDeps;

function recorder(name: string, seen: string[], more?: (e: DomainEvent) => DomainEvent[] | void): Listener {
  return listener({
    name,
    onFailure: 'log',
    handle: (e) => {
      seen.push(`${name}:${e.type}`);
      return more?.(e);
    },
  });
}

describe('emit', () => {
  test('every listener sees every event, in registration order, event after event', async () => {
    const seen: string[] = [];
    const emit = createEmitter([recorder('a', seen), recorder('b', seen)]);
    await emit(
      [
        { type: 'message.updated', message: message('m1') },
        { type: 'conversation.updated', conversation },
      ],
      deps,
    );
    assert.deepEqual(seen, [
      'a:message.updated',
      'b:message.updated',
      'a:conversation.updated',
      'b:conversation.updated',
    ]);
  });

  test('an event a listener answers with reaches the later listeners before the current one does', async () => {
    const seen: string[] = [];
    const emit = createEmitter([
      recorder('log', seen, (e) =>
        e.type === 'conversation.postponed'
          ? [{ type: 'message.logged', message: message('line') }]
          : undefined,
      ),
      recorder('push', seen),
    ]);
    await emit([{ type: 'conversation.postponed', conversation, until: 1, by: 'u1' }], deps);
    assert.deepEqual(seen, [
      'log:conversation.postponed',
      'log:message.logged',
      'push:message.logged',
      'push:conversation.postponed',
    ]);
  });

  test('start and flush: a listener gathers an emission and acts once at its end', async () => {
    const flushed: string[][] = [];
    const emit = createEmitter([
      listener<string[]>({
        name: 'batch',
        onFailure: 'log',
        start: () => [],
        handle: (e, _deps, batch) => void batch.push(e.type),
        flush: async (_deps, batch) => void flushed.push(batch),
      }),
    ]);
    await emit(
      [
        { type: 'message.received', message: message('m1'), conversation },
        { type: 'message.updated', message: message('m1') },
      ],
      deps,
    );
    await emit([{ type: 'conversation.updated', conversation }], deps);
    assert.deepEqual(flushed, [['message.received', 'message.updated'], ['conversation.updated']]);
  });

  test("a failing 'log' listener is logged; the others run and the caller succeeds", async () => {
    logged.length = 0;
    const seen: string[] = [];
    const emit = createEmitter([
      listener({
        name: 'courtesy',
        onFailure: 'log',
        handle: () => {
          throw new Error('push service down');
        },
      }),
      recorder('after', seen),
    ]);
    await emit([{ type: 'conversation.updated', conversation }], deps);
    assert.deepEqual(seen, ['after:conversation.updated']);
    assert.equal(logged.length, 1);
    assert.equal(logged[0]!.level, 'warn');
    assert.deepEqual(logged[0]!.data, {
      listener: 'courtesy',
      event: 'conversation.updated',
      error: 'push service down',
    });
  });

  test("a failing 'throw' listener fails the caller, after every other listener and flush ran", async () => {
    logged.length = 0;
    const seen: string[] = [];
    let flushes = 0;
    const emit = createEmitter([
      listener({
        name: 'timers',
        onFailure: 'throw',
        handle: (e) => {
          if (e.type === 'conversation.closed') throw new Error('Scheduler 500');
        },
      }),
      recorder('after', seen),
      listener({ name: 'push', onFailure: 'log', handle: () => {}, flush: async () => void flushes++ }),
    ]);
    await expect(
      emit(
        [
          { type: 'conversation.closed', conversation, previous: conversation, reason: 'agent', by: 'u1' },
          { type: 'conversation.updated', conversation },
        ],
        deps,
      ),
    ).rejects.toThrow('Scheduler 500');
    assert.deepEqual(seen, ['after:conversation.closed', 'after:conversation.updated']);
    assert.equal(flushes, 1);
    assert.equal(logged[0]!.level, 'error');
  });

  test('no events: no listener runs', async () => {
    let started = 0;
    const emit = createEmitter([
      listener({ name: 'x', onFailure: 'log', start: () => void started++, handle: () => {} }),
    ]);
    await emit([], deps);
    assert.equal(started, 0);
  });
});
