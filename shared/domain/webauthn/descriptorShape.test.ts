import { canonicalTransports, REAL_DATA_MODEL, weightedPick } from './descriptorShape';

describe('canonicalTransports', () => {
  it.each([
    [['internal'], ['hybrid', 'internal']],
    [
      ['hybrid', 'internal'],
      ['hybrid', 'internal'],
    ],
    [
      ['internal', 'hybrid'],
      ['hybrid', 'internal'],
    ],
    [['hybrid'], ['hybrid', 'internal']],
    [['usb'], ['nfc', 'usb']],
    [
      ['nfc', 'usb'],
      ['nfc', 'usb'],
    ],
    [
      ['usb', 'nfc', 'ble'],
      ['nfc', 'usb'],
    ],
    [['smart-card'], ['nfc', 'usb']],
    [['cable'], ['nfc', 'usb']],
  ])('attack: user enumeration by a rare transport list %j: listed as %j', (stored, listed) => {
    expect(canonicalTransports(stored)).toEqual(listed);
  });

  it('a passkey stored without transports (provisioned) lists none, as some decoys do', () => {
    expect(canonicalTransports([])).toBeUndefined();
  });
});

describe('weightedPick', () => {
  const table = [
    ['a', 60],
    ['b', 30],
    ['c', 10],
  ] as const;
  it.each([
    [0, 'a'],
    [0.599, 'a'],
    [0.6, 'b'],
    [0.899, 'b'],
    [0.9, 'c'],
    [0.99999, 'c'],
  ])('u = %p picks %p', (u, value) => {
    expect(weightedPick(table, u)).toBe(value);
  });

  it('the model counts 1 to 3 passkeys per user', () => {
    expect(REAL_DATA_MODEL.passkeysPerUser.map(([n]) => n)).toEqual([1, 2, 3]);
  });
});
