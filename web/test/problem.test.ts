import { describe, expect, it } from 'vitest';
import { ApiError, describe as describeError, fieldErrors, networkError, problemFrom } from '../src/api/problem';

function problem(status: number, body: unknown, type = 'application/problem+json'): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });
}

describe('problemFrom', () => {
  it('keeps the API problem with its field errors and extensions', async () => {
    const err = await problemFrom(problem(422, {
      type: 'https://capturemoments.app/problems/validation', title: 'Validation failed', status: 422,
      detail: 'The request has invalid fields.',
      errors: [{ field: 'email', message: 'is not an email address' }, { field: 'password', message: 'too short' }],
    }));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(422);
    expect(err.message).toBe('The request has invalid fields.');
    expect(err.problem.errors).toHaveLength(2);
  });

  it('keeps a booking refusal rule and suggested starts', async () => {
    const err = await problemFrom(problem(409, {
      type: 'about:blank', title: 'Conflict', status: 409, detail: 'That time is taken.', rule: 'overlap',
      suggested_starts: [{ start: '2026-12-05T17:00:00+05:30', end: '2026-12-05T18:00:00+05:30' }],
    }));
    expect(err.problem.rule).toBe('overlap');
    expect(err.problem.suggested_starts?.[0]?.start).toBe('2026-12-05T17:00:00+05:30');
  });

  it('makes a problem out of an answer that is not one (a gateway page)', async () => {
    const err = await problemFrom(new Response('<html>Bad Gateway</html>', {
      status: 502, statusText: 'Bad Gateway', headers: { 'content-type': 'text/html' },
    }));
    expect(err.status).toBe(502);
    expect(err.problem.title).toBe('Bad Gateway');
    expect(err.problem.detail).toMatch(/our side/);
  });

  it('drops malformed field errors rather than showing garbage', async () => {
    const err = await problemFrom(problem(400, {
      type: 'about:blank', title: 'Bad Request', status: 400, detail: 'x', errors: [{ field: 1 }, { field: 'city', message: 'too long' }],
    }));
    expect(err.problem.errors).toEqual([{ field: 'city', message: 'too long' }]);
  });

  it('says what happened when there was no answer', () => {
    const err = networkError(new TypeError('Failed to fetch'));
    expect(err.status).toBe(0);
    expect(describeError(err)).toMatch(/could not be reached/);
  });
});

describe('fieldErrors', () => {
  const err = new ApiError({
    type: 'about:blank', title: 'Validation failed', status: 422, detail: 'Invalid fields.',
    errors: [
      { field: 'location.address', message: 'must not be empty' },
      { field: 'password', message: 'is too short;' },
      { field: 'password', message: 'is too common' },
      { field: 'start', message: 'is in the past' },
    ],
  });

  it('groups messages by field, both messages of a field kept', () => {
    const { byField } = fieldErrors(err);
    expect(byField['location.address']).toBe('must not be empty');
    expect(byField.password).toBe('is too short; is too common');
  });

  it('leaves errors of fields the form does not show in rest', () => {
    const { byField, rest } = fieldErrors(err, ['location.address', 'password']);
    expect(Object.keys(byField).sort()).toEqual(['location.address', 'password']);
    expect(rest).toEqual(['start: is in the past']);
  });

  it('is empty for anything that is not an API error', () => {
    expect(fieldErrors(new Error('boom'))).toEqual({ byField: {}, rest: [] });
    expect(fieldErrors(null)).toEqual({ byField: {}, rest: [] });
  });
});
