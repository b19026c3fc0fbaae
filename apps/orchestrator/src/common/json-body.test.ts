import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from './errors';
import { JSON_MAX_DEPTH, nestingDepth, parseJsonBody } from './json-body';

function problems(text: string | Buffer): Array<{ field: string; reason: string }> {
  try {
    parseJsonBody(Buffer.isBuffer(text) ? text : Buffer.from(text));
  } catch (err) {
    if (err instanceof InvalidRequestError) return err.errors;
    throw err;
  }
  throw new Error('expected an InvalidRequestError');
}

describe('parseJsonBody', () => {
  it('parses what can be stored, emoji and control characters but NUL included', () => {
    expect(parseJsonBody(Buffer.from('{"name":"zero page \\ud83d\\ude00\\t","ids":["a"]}'))).toEqual({ name: 'zero page 😀\t', ids: ['a'] });
  });

  it(`takes ${JSON_MAX_DEPTH} levels and refuses ${JSON_MAX_DEPTH + 1}, without recursing into a 100k-deep body`, () => {
    expect(parseJsonBody(Buffer.from(`${'['.repeat(JSON_MAX_DEPTH)}${']'.repeat(JSON_MAX_DEPTH)}`))).toBeInstanceOf(Array);
    expect(problems(`${'['.repeat(JSON_MAX_DEPTH + 1)}${']'.repeat(JSON_MAX_DEPTH + 1)}`)).toEqual([{ field: '(body)', reason: 'nests deeper than 64 levels' }]);
    expect(problems(`${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`)).toEqual([{ field: '(body)', reason: 'nests deeper than 64 levels' }]);
    // Brackets inside strings are text, not nesting.
    expect(nestingDepth(`{"a":"${'['.repeat(100)}\\"["}`, JSON_MAX_DEPTH)).toBe(1);
  });

  it('names every string, key or value, that Postgres cannot hold', () => {
    expect(problems('{"name":"a\\u0000","hosts":{"ids":["ok","\\ud800x"]},"k\\u0000":1,"__proto__":{}}')).toEqual([
      { field: 'name', reason: 'contains a NUL character (\\u0000), which cannot be stored' },
      { field: 'hosts.ids[1]', reason: expect.stringContaining('lone UTF-16 surrogate') },
      { field: 'k\ufffd', reason: 'key contains a NUL character (\\u0000), which cannot be stored' },
      { field: '__proto__', reason: 'key is not accepted' },
    ]);
    expect(problems('["\\udc00"]')).toEqual([{ field: '[0]', reason: expect.stringContaining('lone UTF-16 surrogate') }]);
  });

  it('refuses bytes that are not UTF-8, an empty body and malformed JSON', () => {
    expect(problems(Buffer.from([0x22, 0xc3, 0x28, 0x22]))).toEqual([{ field: '(body)', reason: 'is not valid UTF-8' }]);
    expect(problems('  ')).toEqual([{ field: '(body)', reason: 'is empty although content-type is application/json' }]);
    expect(problems('{"a":')[0]).toMatchObject({ field: '(body)', reason: expect.stringMatching(/^is not valid JSON: /) });
  });
});
