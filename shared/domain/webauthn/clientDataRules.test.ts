import { crossOriginProblem } from './clientDataRules';

describe('crossOriginProblem', () => {
  it.each([
    [{}, null],
    [{ crossOrigin: false }, null],
    [{ crossOrigin: true }, /cross-origin frame/],
    [{ crossOrigin: 'true' }, /must be a boolean/],
    [{ crossOrigin: 1 }, /must be a boolean/],
    [{ crossOrigin: true, topOrigin: 'https://evil.example' }, /cross-origin frame/],
    [{ crossOrigin: false, topOrigin: 'https://evil.example' }, /topOrigin is set/],
    [{ topOrigin: 'http://localhost:7071' }, /topOrigin is set/],
  ])('attack: framed ceremony %j → %p', (clientData, expected) => {
    const problem = crossOriginProblem(clientData);
    if (expected === null) expect(problem).toBeNull();
    else expect(problem).toMatch(expected);
  });
});
