import { Roles, startTestService, TestService } from '../support/localService';

const POLICY = '/beta/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2';
const ODATA_TYPE = '#microsoft.graph.fido2AuthenticationMethodConfiguration';

/** One endpoint, one spelling: a refused policy PATCH answers Graph's `BadRequest` whichever layer refuses it. */
describe('error codes on the wire', () => {
  let svc: TestService;
  let admin: string;

  beforeAll(async () => {
    svc = await startTestService();
    admin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authPolicyAdmin] });
  });
  afterAll(() => svc.close());

  const patch = (body: unknown) => svc.call('PATCH', POLICY, { token: admin, body });

  it.each([
    ['a schema refusal (wrong type)', { '@odata.type': ODATA_TYPE, isAttestationEnforced: 'yes' }],
    [
      'a rule refusal (a target listed twice)',
      {
        '@odata.type': ODATA_TYPE,
        includeTargets: [
          { targetType: 'group', id: 'all_users', isRegistrationRequired: false },
          { targetType: 'group', id: 'all_users', isRegistrationRequired: true },
        ],
      },
    ],
  ])('%s answers 400 BadRequest with request ids only in innerError', async (_name, body) => {
    const res = await patch(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BadRequest');
    expect(Object.keys(res.body.error.innerError).sort()).toEqual(['client-request-id', 'date', 'request-id']);
  });
});
