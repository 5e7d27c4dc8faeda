import {
  EventDataSchemas,
  EventTypes,
  isEventType,
  isKnownEventTypePattern,
  KNOWN_EVENT_TYPE_PREFIXES,
  KNOWN_EVENT_TYPES,
  knownPatternLike,
} from './eventTypes';
import { matchesEventType } from './matchesEventType';

describe('isKnownEventTypePattern', () => {
  it.each<[string, boolean]>([
    ['*', true],
    ['fido2Policy.updated', true],
    ['fido2Method.*', true],
    ['user.*', true],
    ['provisioningJob.completed', true],
    ['fido2policy.updated', false],
    ['FIDO2POLICY.UPDATED', false],
    ['fido2Policy.created', false],
    ['fido2Policy', false],
    ['fido2Method.registered.*', false],
    ['fido2.*', false],
    ['users.*', false],
    ['audit.Policy', false],
    ['anything.else', false],
  ])('%s: %s', (pattern, expected) => {
    expect(isKnownEventTypePattern(pattern)).toBe(expected);
  });

  it('accepts exactly the patterns that match some known type', () => {
    for (const pattern of ['*', ...KNOWN_EVENT_TYPE_PREFIXES, ...KNOWN_EVENT_TYPES]) {
      expect(KNOWN_EVENT_TYPES.some((t) => matchesEventType([pattern], t))).toBe(true);
      expect(isKnownEventTypePattern(pattern)).toBe(true);
    }
  });
});

describe('knownPatternLike', () => {
  it.each([
    ['fido2policy.updated', 'fido2Policy.updated'],
    ['FIDO2METHOD.*', 'fido2Method.*'],
    ['nothing.like', undefined],
  ])('%s suggests %s', (pattern, expected) => {
    expect(knownPatternLike(pattern)).toBe(expected);
  });
});

describe('EventTypes', () => {
  it('declares each type once, with a schema for its data', () => {
    const types = Object.values(EventTypes);
    expect(new Set(types).size).toBe(types.length);
    expect(Object.keys(EventDataSchemas).sort()).toEqual([...types].sort());
    for (const type of types) expect(isEventType(type)).toBe(true);
    expect(isEventType('audit.Policy')).toBe(false);
    expect(isEventType('constructor')).toBe(false);
  });

  it('lists every declared type for subscriptions, in declaration order, but the unlisted role-management type', () => {
    expect(KNOWN_EVENT_TYPES).toEqual(Object.values(EventTypes).filter((t) => t !== EventTypes.roleManagementAudited));
    expect(isKnownEventTypePattern(EventTypes.roleManagementAudited)).toBe(false);
    expect(isKnownEventTypePattern('audit.*')).toBe(false);
  });
});
