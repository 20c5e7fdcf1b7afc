import { describe, expect, test } from 'vitest';
import { typedPhone } from '#shared/domain/phone.ts';

describe('a phone as a person types it (INB-12)', () => {
  test('Brazilian formats: DDD + number, trunk 0, with 55, with or without the 9th digit', () => {
    for (const typed of [
      '(11) 98888-7777',
      '11988887777',
      '011 98888-7777',
      '55 11 98888-7777',
      '+55 11 8888-7777',
    ])
      expect(typedPhone(typed), typed).toBe('5511988887777');
    expect(typedPhone('(11) 3333-4444')).toBe('551133334444');
  });
  test('foreign numbers with + or 00 are taken as typed', () => {
    expect(typedPhone('+1 (415) 555-0100')).toBe('14155550100');
    expect(typedPhone('00 351 912 345 678')).toBe('351912345678');
  });
  test('what cannot be a number', () => {
    for (const typed of ['123', 'abc', '', '+0 11 98888 7777', '9'.repeat(16)])
      expect(typedPhone(typed), typed).toBeUndefined();
  });
});
