import { withoutSecrets } from '../../shared/app';
import { loadConfig } from '../../shared/config';

const cwd = '/nonexistent';
const URL = 'https://mds3.fidoalliance.org/';

describe('FIDO_MDS_* settings (metadata refresh)', () => {
  it('off without FIDO_MDS_URL, whatever else is set', () => {
    expect(
      loadConfig({ AzureWebJobsStorage: 'UseDevelopmentStorage=true', FIDO_MDS_ROOT_CERT: 'x' }, cwd).fidoMds,
    ).toBeUndefined();
  });

  it.each([
    ['no storage: the file cache under DATA_DIR', {}, { url: URL, allowPrivateNetworks: false, storage: undefined }],
    [
      'AzureWebJobsStorage: the connection string (Azurite locally)',
      { AzureWebJobsStorage: 'UseDevelopmentStorage=true' },
      { storage: { connectionString: 'UseDevelopmentStorage=true' } },
    ],
    [
      'AzureWebJobsStorage__accountName (Azure, keyless): the account blob URL',
      { AzureWebJobsStorage__accountName: 'passkeysabc' },
      { storage: { accountUrl: 'https://passkeysabc.blob.core.windows.net' } },
    ],
    [
      'a connection string wins over the account name',
      { AzureWebJobsStorage: 'UseDevelopmentStorage=true', AzureWebJobsStorage__accountName: 'passkeysabc' },
      { storage: { connectionString: 'UseDevelopmentStorage=true' } },
    ],
    [
      'the root and the private-network switch',
      { FIDO_MDS_ROOT_CERT: '/etc/mds-root.pem', FIDO_MDS_ALLOW_PRIVATE_NETWORKS: 'true' },
      { rootCertificate: '/etc/mds-root.pem', allowPrivateNetworks: true },
    ],
  ])('%s', (_name, env, expected) => {
    expect(loadConfig({ FIDO_MDS_URL: URL, ...env }, cwd).fidoMds).toMatchObject(expected);
  });

  it.each([['ftp://mds.example/'], ['not a url'], ['file:///etc/passwd']])(
    'refuses FIDO_MDS_URL %s, naming the setting',
    (url) => {
      expect(() => loadConfig({ FIDO_MDS_URL: url }, cwd)).toThrow(/Setting FIDO_MDS_URL must be an http\(s\) URL/);
    },
  );

  it('the settings hold a connection string: handlers never see them', () => {
    const config = loadConfig({ FIDO_MDS_URL: URL, AzureWebJobsStorage: 'AccountKey=secret' }, cwd);
    expect(withoutSecrets(config)).not.toHaveProperty('fidoMds');
  });
});
