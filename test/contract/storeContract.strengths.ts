import { randomUUID } from 'node:crypto';
import { AuthenticationStrength, ProtectedResource } from '../../shared/domain/strengths/authenticationStrength';
import { allAudit, ContractContext, expectConflict, expectStaleEtag } from './storeContract.fixtures';

/**
 * Custom authentication strengths and protected resources: read back unchanged, listed in order,
 * the limit and the in-use refusal enforced by the store, replace If-Match, and every write audited.
 */
export function strengthContract(ctx: ContractContext): void {
  describe('strengths and protected resources', () => {
    const repo = () => ctx.store.strengths;

    const strength = (overrides: Partial<AuthenticationStrength> = {}): AuthenticationStrength => {
      const at = ctx.data.nextTime();
      return {
        id: randomUUID(),
        displayName: 'YubiKeys only',
        description: '',
        policyType: 'custom',
        requirementsSatisfied: 'mfa',
        allowedCombinations: ['fido2'],
        combinationConfigurations: [
          {
            id: randomUUID(),
            appliesToCombinations: ['fido2'],
            allowedAAGUIDs: ['cb69481e-8ff7-4039-93ec-0a2729a154a8'],
          },
        ],
        createdDateTime: at,
        modifiedDateTime: at,
        ...overrides,
      };
    };
    const resource = (name: string, authenticationStrengthId: string): ProtectedResource => ({
      name,
      authenticationStrengthId,
      createdDateTime: ctx.data.nextTime(),
      modifiedDateTime: ctx.data.nextTime(),
    });
    const audit = () => ({ audit: ctx.data.audit() });

    it('creates strengths, reads them back unchanged and lists them oldest first; refuses a taken id', async () => {
      const first = strength();
      const second = strength({ displayName: 'Second' });
      await repo().createStrength(second, { ...audit(), limit: 15 });
      await repo().createStrength(first, { ...audit(), limit: 15 });
      expect((await repo().getStrength(first.id))?.value).toEqual(first);
      expect(await repo().getStrength(randomUUID())).toBeNull();
      expect(await repo().listStrengths()).toEqual([first, second]);
      await expectConflict(repo().createStrength(first, { ...audit(), limit: 15 }), 'Request_BadRequest');
      expect(await allAudit(ctx.store)).toHaveLength(2);
    });

    it('refuses a strength past the limit, keeping the ones there', async () => {
      await repo().createStrength(strength(), { ...audit(), limit: 2 });
      await repo().createStrength(strength(), { ...audit(), limit: 2 });
      await expect(repo().createStrength(strength(), { ...audit(), limit: 2 })).rejects.toMatchObject({
        code: 'tooManyAuthenticationStrengths',
      });
      expect(await repo().listStrengths()).toHaveLength(2);
    });

    it('replaces If-Match and refuses a stale ETag', async () => {
      const s = strength();
      await repo().createStrength(s, { ...audit(), limit: 15 });
      const read = (await repo().getStrength(s.id))!;
      const renamed = { ...s, displayName: 'Renamed' };
      const etag = await repo().replaceStrength(renamed, { ...audit(), ifMatch: read.etag });
      expect(await repo().getStrength(s.id)).toEqual({ value: renamed, etag });
      await expectStaleEtag(repo().replaceStrength({ ...s, displayName: 'Lost' }, { ...audit(), ifMatch: read.etag }));
    });

    it('stores resources by exact name (URIs included), lists them by name, and refuses to delete a strength in use', async () => {
      const s = strength();
      await repo().createStrength(s, { ...audit(), limit: 15 });
      const hr = resource('api://contoso-hr', s.id);
      const wiki = resource('https://wiki.contoso.com/app?x=1#y', s.id);
      expect(await repo().putResource(wiki, audit())).toBe(true);
      expect(await repo().putResource(hr, audit())).toBe(true);
      expect(await repo().getResource('api://contoso-hr')).toEqual(hr);
      expect(await repo().getResource('API://contoso-hr')).toBeNull();
      expect(await repo().listResources()).toEqual([hr, wiki]);
      expect(await repo().listResourcesRequiring(s.id)).toEqual([hr, wiki]);

      await expect(repo().deleteStrength(s.id, audit())).rejects.toMatchObject({
        kind: 'conflict',
        code: 'authenticationStrengthInUse',
      });
      expect(await repo().getStrength(s.id)).not.toBeNull();

      const moved = { ...hr, authenticationStrengthId: '00000000-0000-0000-0000-000000000004' };
      expect(await repo().putResource(moved, audit())).toBe(false);
      expect(await repo().listResourcesRequiring(s.id)).toEqual([wiki]);
      expect(await repo().deleteResource(wiki.name, audit())).toBe(true);
      expect(await repo().deleteResource(wiki.name, audit())).toBe(false);
      expect(await repo().deleteStrength(s.id, audit())).toBe(true);
      expect(await repo().deleteStrength(s.id, audit())).toBe(false);
      expect(await repo().listResources()).toEqual([moved]);
    });
  });
}
