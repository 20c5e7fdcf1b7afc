import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import {
  inactivityHoursSchema,
  onTimer,
  timerDueTimes,
  type ClockConversation,
} from '#shared/domain/clock.ts';
import { windowExpiresAt } from '#shared/domain/window.ts';

const H = 3600_000;
const T0 = Date.parse('2026-11-23T12:00:00Z');
const conv = (over: Partial<ClockConversation> = {}): ClockConversation => ({
  status: 'open',
  attendanceId: 'att-1',
  lastMessageAt: T0,
  windowExpiresAt: windowExpiresAt(T0),
  ...over,
});

describe('the conversation clock', () => {
  test('an open attendance needs "Expirando" 30 min before the window ends, "Expirado" at its end, and the auto-close', () => {
    assert.deepEqual(timerDueTimes(conv(), 8), {
      'window.expiring': T0 + 24 * H - 30 * 60_000,
      'window.expired': T0 + 24 * H,
      'conversation.autoclose': T0 + 8 * H,
    });
    assert.deepEqual(timerDueTimes(conv({ status: 'closed' }), 8), {});
  });

  test('a timer on time acts: the tag changes, or the attendance closes', () => {
    assert.deepEqual(onTimer({ kind: 'window.expiring', attendanceId: 'att-1' }, conv(), 24, T0 + 23.5 * H), {
      do: 'notify',
    });
    assert.deepEqual(onTimer({ kind: 'window.expired', attendanceId: 'att-1' }, conv(), 24, T0 + 24 * H), {
      do: 'notify',
    });
    assert.deepEqual(
      onTimer({ kind: 'conversation.autoclose', attendanceId: 'att-1' }, conv(), 2, T0 + 2 * H),
      {
        do: 'close',
      },
    );
  });

  test('a customer message since moved the time: the timer re-arms for the new time', () => {
    const later = conv({ lastMessageAt: T0 + 5 * H, windowExpiresAt: windowExpiresAt(T0 + 5 * H) });
    assert.deepEqual(onTimer({ kind: 'window.expired', attendanceId: 'att-1' }, later, 24, T0 + 24 * H), {
      do: 'rearm',
      at: T0 + 29 * H,
    });
    assert.deepEqual(
      onTimer({ kind: 'conversation.autoclose', attendanceId: 'att-1' }, later, 2, T0 + 2 * H),
      {
        do: 'rearm',
        at: T0 + 7 * H,
      },
    );
  });

  test('a chat postponed beyond the inactivity period is not closed first: it comes back, then the period counts (INB-9)', () => {
    const postponed = conv({ postponedUntil: T0 + 30 * H });
    assert.equal(timerDueTimes(postponed, 2)['conversation.autoclose'], T0 + 32 * H);
    const close = { kind: 'conversation.autoclose' as const, attendanceId: 'att-1' };
    assert.deepEqual(onTimer(close, postponed, 2, T0 + 2 * H), { do: 'rearm', at: T0 + 32 * H });
    assert.deepEqual(
      onTimer({ kind: 'conversation.unpostpone', attendanceId: 'att-1' }, postponed, 2, T0 + 30 * H),
      { do: 'unpostpone' },
    );
    assert.deepEqual(onTimer(close, postponed, 2, T0 + 32 * H), { do: 'close' });
    // Postponed within the period: the inactivity period from the last message is later.
    assert.equal(timerDueTimes(conv({ postponedUntil: T0 + H }), 2)['conversation.autoclose'], T0 + 3 * H);
  });

  test('stale: a closed conversation, another attendance (reopened since), or no such conversation', () => {
    const t = { kind: 'conversation.autoclose' as const, attendanceId: 'att-1' };
    assert.deepEqual(onTimer(t, conv({ status: 'closed' }), 2, T0 + 3 * H), { do: 'stale' });
    assert.deepEqual(onTimer(t, conv({ attendanceId: 'att-2' }), 2, T0 + 3 * H), { do: 'stale' });
    assert.deepEqual(onTimer(t, undefined, 2, T0 + 3 * H), { do: 'stale' });
  });

  test('the inactivity period is between 1 and 72 whole hours, explained in Portuguese', () => {
    assert.equal(inactivityHoursSchema.safeParse(1).success, true);
    assert.equal(inactivityHoursSchema.safeParse(72).success, true);
    const zero = inactivityHoursSchema.safeParse(0);
    assert.equal(zero.success, false);
    assert.match(zero.error!.issues[0]!.message, /entre 1 e 72 horas/);
    assert.equal(inactivityHoursSchema.safeParse(73).success, false);
    assert.equal(inactivityHoursSchema.safeParse(1.5).success, false);
  });
});

describe("wall-clock time in the account's zone", () => {
  test('a date and time in São Paulo is the right instant, and back', async () => {
    const { zonedEpoch, zonedInput } = await import('#shared/domain/time.ts');
    const at = zonedEpoch('2026-12-02', '14:30', 'America/Sao_Paulo');
    assert.equal(at, Date.parse('2026-12-02T14:30:00-03:00'));
    assert.equal(zonedInput(at, 'America/Sao_Paulo'), '2026-12-02T14:30');
    assert.equal(zonedInput(at, 'UTC'), '2026-12-02T17:30');
  });

  test("postpone presets: in 1 hour, tomorrow 9:00 and Monday 9:00 in the account's zone", async () => {
    const { postponePresets } = await import('#shared/domain/time.ts');
    // Thursday 3 December, 23:30 in São Paulo (already Friday in UTC).
    const thu = Date.parse('2026-12-03T23:30:00-03:00');
    assert.deepEqual(postponePresets(thu, 'America/Sao_Paulo'), {
      hour: thu + 3600_000,
      tomorrow: Date.parse('2026-12-04T09:00:00-03:00'),
      monday: Date.parse('2026-12-07T09:00:00-03:00'),
    });
    assert.equal(postponePresets(thu, 'UTC').tomorrow, Date.parse('2026-12-05T09:00:00Z'));
    // On a Monday, "segunda" is next week's; on a Sunday, tomorrow's.
    const mon = Date.parse('2026-12-07T08:00:00-03:00');
    assert.equal(postponePresets(mon, 'America/Sao_Paulo').monday, Date.parse('2026-12-14T09:00:00-03:00'));
    const sun = Date.parse('2026-12-06T10:00:00-03:00');
    assert.equal(postponePresets(sun, 'America/Sao_Paulo').monday, Date.parse('2026-12-07T09:00:00-03:00'));
  });
});
