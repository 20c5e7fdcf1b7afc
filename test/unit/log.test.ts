import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { log, redact, setLogContext, withLogContext } from '#shared/log.ts';

describe('the one logger', () => {
  let lines: Record<string, unknown>[];
  beforeEach(() => {
    lines = [];
    vi.stubEnv('LOG_LEVEL', 'debug');
    const capture = (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>);
    vi.spyOn(console, 'log').mockImplementation(capture);
    vi.spyOn(console, 'error').mockImplementation(capture);
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  test('every line carries the function and, inside a record or request, its correlation id, across awaits', async () => {
    setLogContext({ function: 'inbound' });
    await withLogContext({ correlationId: 'msg-1' }, async () => {
      await new Promise((r) => setTimeout(r, 1));
      log('info', 'worked', { accountId: 'A1', conversationId: 'C1' });
    });
    log('warn', 'outside');
    expect(lines).toMatchObject([
      {
        level: 'info',
        msg: 'worked',
        function: 'inbound',
        correlationId: 'msg-1',
        accountId: 'A1',
        conversationId: 'C1',
      },
      { level: 'warn', msg: 'outside', function: 'inbound' },
    ]);
    expect(lines[1]).not.toHaveProperty('correlationId');
  });

  test('secrets are never written: strings under secret-naming keys are redacted, nested too', () => {
    log('error', 'oops', {
      accessToken: 'EAAG-secret',
      nested: { appSecret: 's', apiKey: 'k' },
      messageId: 'M1',
    });
    expect(lines[0]).toMatchObject({
      accessToken: '[redacted]',
      nested: { appSecret: '[redacted]', apiKey: '[redacted]' },
      messageId: 'M1',
    });
    expect(JSON.stringify(lines)).not.toMatch(/EAAG-secret/);
    expect(redact({ tokenVersion: 3, Authorization: 'Bearer x' })).toEqual({
      tokenVersion: 3,
      Authorization: '[redacted]',
    });
  });
});
