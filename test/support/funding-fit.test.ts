import { describe, expect, it } from 'vitest';
import { fitOf, rankByFit } from '../../src/support/funding/fit.js';

const today = '2026-12-07';
const group = { organisation_type: 'registered_charity', income_band: '100k_1m', themes: ['food', 'older'], areas_served: ['Riverside North', 'Eastfield'] };
const opportunity = (o: Partial<Parameters<typeof fitOf>[0]> = {}) => ({ organisation_types: [], income_bands: [], themes: [], areas: [], deadline: null, ...o });

describe('fit of a funding opportunity with a group', () => {
  it('explains what the group and the funder share, where it funds, and when it closes', () => {
    const fit = fitOf(opportunity({ themes: ['food', 'older', 'arts'], areas: ['Riverside North'], deadline: '2026-12-19' }), group, today);
    expect(fit).toMatchObject({ eligible: true, notEligible: [], toCheck: [], daysLeft: 12 });
    expect(fit.explanation).toBe('Works on food and older people, like you; funds Riverside North; closes in 12 days');
  });

  it('leaves out a group of another type, income or area, saying why; asks a group whose record is silent to check', () => {
    expect(fitOf(opportunity({ organisation_types: ['cio'] }), group, today).notEligible).toEqual(['open to charitable incorporated organisation (cio) only']);
    expect(fitOf(opportunity({ income_bands: ['under_10k'] }), group, today).notEligible).toEqual(['for groups with an income of Under £10,000 only']);
    expect(fitOf(opportunity({ areas: ['Hillside'] }), group, today).notEligible).toEqual(['funds only in Hillside']);
    expect(fitOf(opportunity({ deadline: '2026-12-01' }), group, today).eligible).toBe(false);
    const silent = fitOf(opportunity({ organisation_types: ['cio'], areas: ['Hillside'] }), { organisation_type: null, income_band: null, themes: [], areas_served: [] }, today);
    expect(silent.eligible).toBe(true);
    expect(silent.toCheck).toHaveLength(2);
  });

  it('ranks shared themes first, then a deadline close by, rolling programmes last among equals', () => {
    const { eligible, notEligible } = rankByFit([
      { id: 'rolling', ...opportunity({ themes: ['food'] }) },
      { id: 'soon', ...opportunity({ themes: ['food'], deadline: '2026-12-10' }) },
      { id: 'none', ...opportunity({ deadline: '2027-03-01' }) },
      { id: 'both', ...opportunity({ themes: ['food', 'older'], deadline: '2027-03-01' }) },
      { id: 'elsewhere', ...opportunity({ areas: ['Hillside'], themes: ['food', 'older'] }) },
    ], group, today);
    expect(eligible.map((o) => o.id)).toEqual(['both', 'soon', 'rolling', 'none']);
    expect(notEligible.map((o) => o.id)).toEqual(['elsewhere']);
  });
});
