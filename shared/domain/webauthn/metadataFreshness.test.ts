import { isMetadataRefreshDue, judgeMetadataBlob, nextUpdateTime } from './metadataFreshness';

const NOW = new Date('2026-12-03T05:00:00Z');

describe('judgeMetadataBlob', () => {
  it.each([
    ['a first blob, due next month', { no: 5, nextUpdate: '2027-01-01' }, undefined, { accept: true }],
    ['a newer blob', { no: 6, nextUpdate: '2027-01-01' }, { no: 5 }, { accept: true }],
    ['due today (still current until the day ends)', { no: 6, nextUpdate: '2026-12-03' }, { no: 5 }, { accept: true }],
    ['due yesterday: stale', { no: 6, nextUpdate: '2026-12-02' }, { no: 5 }, { accept: false, reason: 'expired' }],
    [
      'stale even without a cached copy',
      { no: 6, nextUpdate: '2025-01-01' },
      undefined,
      { accept: false, reason: 'expired' },
    ],
    [
      'attack: an older blob replayed',
      { no: 4, nextUpdate: '2027-01-01' },
      { no: 5 },
      { accept: false, reason: 'rollback' },
    ],
    ['the same serial number', { no: 5, nextUpdate: '2027-01-01' }, { no: 5 }, { accept: false, reason: 'unchanged' }],
    [
      'a nextUpdate that is no date',
      { no: 6, nextUpdate: 'soon' },
      { no: 5 },
      { accept: false, reason: 'invalidNextUpdate' },
    ],
    [
      'a nextUpdate that rolls over (Feb 31)',
      { no: 6, nextUpdate: '2027-02-31' },
      { no: 5 },
      { accept: false, reason: 'invalidNextUpdate' },
    ],
  ])('%s', (_name, candidate, cached, expected) => {
    expect(judgeMetadataBlob({ candidate, cached, now: NOW })).toMatchObject(expected);
  });

  it('says what it received and what it expected', () => {
    expect(judgeMetadataBlob({ candidate: { no: 4, nextUpdate: '2027-01-01' }, cached: { no: 5 }, now: NOW })).toEqual(
      expect.objectContaining({ message: expect.stringMatching(/no=4 is lower than the cached no=5/) }),
    );
    expect(judgeMetadataBlob({ candidate: { no: 6, nextUpdate: '2026-01-01' }, now: NOW })).toEqual(
      expect.objectContaining({ message: expect.stringMatching(/nextUpdate 2026-01-01 has passed/) }),
    );
  });
});

describe('isMetadataRefreshDue', () => {
  it.each([
    ['no cached copy', true, undefined],
    ['nextUpdate next month', false, { no: 1, nextUpdate: '2027-01-01' }],
    ['nextUpdate today', true, { no: 1, nextUpdate: '2026-12-03' }],
    ['nextUpdate passed', true, { no: 1, nextUpdate: '2026-11-01' }],
    ['nextUpdate unreadable', true, { no: 1, nextUpdate: 'x' }],
  ])('%s → due: %s', (_name, due, cached) => {
    expect(isMetadataRefreshDue(cached, NOW)).toBe(due);
  });
});

describe('nextUpdateTime', () => {
  it.each([
    ['2026-12-03', Date.parse('2026-12-03T00:00:00Z')],
    ['2026-2-3', undefined],
    ['2026-13-01', undefined],
    ['', undefined],
  ])("'%s'", (text, time) => {
    expect(nextUpdateTime(text)).toBe(time);
  });
});
