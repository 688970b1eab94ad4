import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDatabaseUnavailable } from './unavailable.ts';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

test('connection errors and server shutdown states count as the database being unavailable', () => {
  for (const e of [
    withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'),
    withCode('ECONNRESET'),
    withCode('57P01', 'terminating connection due to administrator command'),
    withCode('57P03', 'the database system is starting up'),
    withCode('08006'),
    withCode('53300', 'sorry, too many clients already'),
    new Error('Connection terminated unexpectedly'),
    new Error('Client has encountered a connection error and is not queryable'),
    new Error('timeout exceeded when trying to connect'),
    new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')]),
    new Error('wrapped', { cause: withCode('57P01') }),
  ]) {
    assert.equal(isDatabaseUnavailable(e), true, String((e as Error).message));
  }
});

test('query errors, constraint violations and programming errors are not', () => {
  for (const e of [
    withCode('23505', 'duplicate key value violates unique constraint'),
    withCode('42P01', 'relation does not exist'),
    withCode('22P02', 'invalid input syntax for type uuid'),
    withCode('57014', 'canceling statement due to statement timeout'),
    withCode('40001', 'could not serialize access'),
    new TypeError('Cannot read properties of undefined'),
    'ECONNREFUSED',
    null,
    undefined,
  ]) {
    assert.equal(isDatabaseUnavailable(e), false, String(e));
  }
});
