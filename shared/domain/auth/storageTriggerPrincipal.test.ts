import { AccessRules } from './accessRules';
import { actorOf } from './actor';
import { isAllowed } from './principal';
import { mayActOnPrivilegedUser, type SensitiveAction } from './privilegedTargets';
import { STORAGE_TRIGGER_APP_ID, storageTriggerPrincipal } from './storageTriggerPrincipal';

describe('storageTriggerPrincipal', () => {
  it('is an app-only principal recorded under its own app id', () => {
    expect(storageTriggerPrincipal().kind).toBe('application');
    expect(storageTriggerPrincipal().userId).toBeUndefined();
    expect(actorOf(storageTriggerPrincipal())).toEqual({ user: null, app: { appId: STORAGE_TRIGGER_APP_ID } });
  });

  it.each<SensitiveAction>(['authenticationMethods', 'signInProperties', 'deleteUser'])(
    'attack: a queued request cannot %s a privileged user',
    (action) => {
      expect(mayActOnPrivilegedUser(storageTriggerPrincipal(), action)).toBe(false);
    },
  );

  it.each(Object.entries(AccessRules))('attack: a queued request is granted no route (%s)', (_name, rule) => {
    expect(isAllowed(storageTriggerPrincipal(), rule)).toBe(false);
  });

  it('hands out a fresh principal each time (a caller mutating one does not widen the next)', () => {
    const first = storageTriggerPrincipal();
    first.permissions.push('UserAuthenticationMethod.ReadWrite.All');
    expect(storageTriggerPrincipal().permissions).toEqual([]);
  });
});
