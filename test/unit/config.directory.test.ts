import { loadConfig } from '../../shared/config';

const cwd = '/nonexistent';
const entra = { DIRECTORY: 'entra', ENTRA_TENANT_ID: 'tenant', GRAPH_CLIENT_STATE: 'a-long-enough-client-state' };

describe('DIRECTORY and GRAPH_* settings', () => {
  it('embedded by default, with no Graph settings', () => {
    const config = loadConfig({}, cwd);
    expect(config.directory).toBe('embedded');
    expect(config.graph).toBeUndefined();
  });
  it('entra: Graph defaults, tenant from ENTRA_TENANT_ID', () => {
    expect(loadConfig(entra, cwd).graph).toMatchObject({
      baseUrl: 'https://graph.microsoft.com',
      tenantId: 'tenant',
      membershipTtlSeconds: 300,
    });
  });
  it.each([
    ['an unknown DIRECTORY', { DIRECTORY: 'ldap' }, /DIRECTORY must be 'embedded' or 'entra', received 'ldap'/],
    ['a plain-http GRAPH_BASE_URL', { ...entra, GRAPH_BASE_URL: 'http://graph.example' }, /baseUrl/],
    ['a short client state', { ...entra, GRAPH_CLIENT_STATE: 'short' }, /clientState/],
    [
      'an unresolved Key Vault reference',
      { ...entra, GRAPH_CLIENT_STATE: '@Microsoft.KeyVault(VaultName=v;SecretName=graph-client-state)' },
      /unresolved Key Vault reference/,
    ],
  ])('refuses %s', (_name, env, message) => {
    expect(() => loadConfig(env, cwd)).toThrow(message);
  });
  it('never puts a secret in the error', () => {
    const secret = 'super-secret-value-123';
    expect(() => loadConfig({ ...entra, GRAPH_CLIENT_SECRET: secret, GRAPH_BASE_URL: 'http://x' }, cwd)).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(secret) }),
    );
  });
});
