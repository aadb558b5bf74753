import { describe, expect, it } from 'vitest';
import { match } from '../src/router';
import { landingPath, nextPath } from '../src/pages/auth';

describe('match', () => {
  it('takes parameters from their segments, decoded', () => {
    expect(match('/photographers/:id/book', '/photographers/01J%2FX/book')).toEqual({ id: '01J/X' });
    expect(match('/photographers/:id', '/photographers/01J/book')).toBeNull();
    expect(match('/my/bookings', '/my/bookings/')).toEqual({});
  });
  it('refuses a segment that does not decode', () => {
    expect(match('/photographers/:id', '/photographers/%E0%A4%A')).toBeNull();
  });
});

describe('where sign-in returns to', () => {
  it('goes back to a page of the app only', () => {
    expect(nextPath(new URLSearchParams('next=%2Fmy%2Fbookings'), '/')).toBe('/my/bookings');
    expect(nextPath(new URLSearchParams('next=%2F%2Fevil.example%2F'), '/')).toBe('/');
    expect(nextPath(new URLSearchParams('next=https%3A%2F%2Fevil.example'), '/')).toBe('/');
    expect(nextPath(new URLSearchParams('next=%2F%5Cevil.example'), '/')).toBe('/');
    expect(nextPath(new URLSearchParams(''), '/photographer/bookings')).toBe('/photographer/bookings');
  });
});

describe('where each role lands after sign-in', () => {
  it('takes an admin to the dashboard, unless a page sent them', () => {
    expect(nextPath(new URLSearchParams(''), landingPath('admin'))).toBe('/admin');
    expect(nextPath(new URLSearchParams('next=%2Fadmin%2Fusers'), landingPath('admin'))).toBe('/admin/users');
    expect(landingPath('photographer')).toBe('/photographer/bookings');
    expect(landingPath('client')).toBe('/');
  });
});
