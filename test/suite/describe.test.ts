import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { describeSchema, describeValue } from '../../src/suite/describe.ts';

describe('describeSchema', () => {
  it.each([
    [z.number(), 'a number'],
    [z.int(), 'an integer'],
    [z.number().int().min(1), 'an integer ≥ 1'],
    [z.number().positive(), 'a number > 0'],
    [z.number().min(0).lt(1), 'a number ≥ 0 and < 1'],
    [z.int().min(1).max(8), 'an integer from 1 to 8'],
    [z.number().multipleOf(4), 'a number (a multiple of 4)'],
    [z.string(), 'a string'],
    [z.string().min(1), 'a non-empty string'],
    [z.string().max(3), 'a string of at most 3 characters'],
    [z.enum(['a', 'b']), 'one of "a", "b"'],
    [z.literal('x'), '"x"'],
    [z.boolean(), 'true or false'],
    [z.array(z.int()).min(1), 'a non-empty array of integers'],
    [z.union([z.int(), z.literal('auto')]), 'an integer or "auto"'],
    [z.int().nullable(), 'an integer or null'],
    [z.int().default(3), 'an integer'],
    [z.string().transform((s) => s.length), 'a string'],
  ] as [z.ZodType, string][])('%#: %s', (schema, expected) => {
    expect(describeSchema(schema)).toBe(expected);
  });
});

describe('describeValue', () => {
  it.each([
    ['two', '"two"'],
    [0, '0'],
    [false, 'false'],
    [null, 'null'],
    [undefined, 'nothing'],
    [[], '[]'],
    [{ a: 1 }, '{"a":1}'],
    ['x'.repeat(60), `"${'x'.repeat(37)}"…`],
    [Array.from({ length: 50 }, (_, i) => i), 'an array of 50 items'],
  ] as [unknown, string][])('%#', (value, expected) => {
    expect(describeValue(value)).toBe(expected);
  });
});
