import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import type { RoleAssignment } from '../domain/auth/roleAssignment';
import type { Group, User } from '../domain/directory/directory';
import type { StoredCredential } from '../ports/credentials.port';
import type { WebhookDelivery, WebhookSubscription } from '../ports/webhooks.port';
import { toFido2Method } from '../services/webauthn/fido2Method';
import type { GroupResourceBody, RoleAssignmentResourceBody, UserResourceBody } from './directory.schema';
import { Fido2MethodResource } from './webauthn.schema';
import type { WebhookDeliveryResource, WebhookSubscriptionResource } from './webhooks.schema';

/** True only when A and B are the same type (not merely assignable one way). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

// Domain types the API returns as they are must stay equal to the resource schemas (and so to
// /openapi.json): a field added on one side only fails `tsc`, as lastUsedDateTime once drifted.
const sameShapes: Record<string, true> = {
  user: true satisfies Equal<User, UserResourceBody>,
  group: true satisfies Equal<Group, GroupResourceBody>,
  roleAssignment: true satisfies Equal<RoleAssignment, RoleAssignmentResourceBody>,
  webhookSubscription: true satisfies Equal<Omit<WebhookSubscription, 'secret'>, WebhookSubscriptionResource>,
  webhookDelivery: true satisfies Equal<WebhookDelivery, WebhookDeliveryResource>,
};

const credential: StoredCredential = {
  id: 'Y3JlZA',
  userId: '11111111-1111-4111-8111-111111111111',
  displayName: 'Key',
  publicKey: 'cGs',
  signCount: 3,
  transports: ['usb'],
  aaGuid: 'cb69481e-8ff7-4039-93ec-0a2729a154a8',
  model: 'YubiKey 5',
  attestationLevel: 'attested',
  attestationCertificates: ['thumb'],
  attestationFormat: 'packed',
  backupEligible: false,
  backedUp: false,
  createdDateTime: '2026-01-01T00:00:00.000Z',
  lastUsedDateTime: '2026-01-02T00:00:00.000Z',
  cloneWarningDateTime: null,
  reEnrolmentRequired: false,
};

describe('resource types follow their schemas', () => {
  it('declares every domain type the API returns as equal to its resource schema', () => {
    expect(Object.keys(sameShapes)).toHaveLength(5);
  });

  it('describes every field a fido2AuthenticationMethod answers (nothing returned that the OpenAPI document lacks)', () => {
    const method = toFido2Method(credential);
    expect(Fido2MethodResource.strict().parse(method)).toEqual(method);
    expect(method.lastUsedDateTime).toBe('2026-01-02T00:00:00.000Z');
  });

  it('documents lastUsedDateTime in the OpenAPI component (returned, so described)', () => {
    const registry = new OpenAPIRegistry();
    registry.register('fido2AuthenticationMethod', Fido2MethodResource);
    const doc = new OpenApiGeneratorV31(registry.definitions).generateComponents();
    const component = doc.components?.schemas?.fido2AuthenticationMethod as {
      properties: Record<string, unknown>;
      required: string[];
    };
    expect(Object.keys(component.properties)).toContain('lastUsedDateTime');
    expect(component.required).toContain('lastUsedDateTime');
  });

  it('keeps internal credential facts out of the resource', () => {
    expect(Object.keys(toFido2Method(credential))).not.toEqual(expect.arrayContaining(['publicKey']));
    expect(Object.keys(toFido2Method(credential))).not.toContain('signCount');
    expect(Object.keys(toFido2Method(credential))).not.toContain('cloneWarningDateTime');
  });
});
