import { HttpRequest } from '@azure/functions';
import { localHttpRequest } from './localRequest';

const make = (method: string, body?: string) =>
  localHttpRequest({
    method,
    url: 'http://localhost:7071/webauthn/authentication/options?x=1',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.1' },
    query: { x: '1' },
    params: { id: 'abc' },
    body: body === undefined ? undefined : Buffer.from(body),
  });

describe('localHttpRequest: a real HttpRequest over the body the host read', () => {
  it('is the @azure/functions class, with url, method, headers, query and params as Azure gives them', () => {
    const request = make('POST', '{}');
    expect(request).toBeInstanceOf(HttpRequest);
    expect(request.url).toBe('http://localhost:7071/webauthn/authentication/options?x=1');
    expect(request.method).toBe('POST');
    expect(request.headers.get('Content-Type')).toBe('application/json');
    expect(request.headers.get('x-forwarded-for')).toBe('192.0.2.1');
    expect(request.query.get('x')).toBe('1');
    expect(request.params).toEqual({ id: 'abc' });
  });

  it.each<[string, (r: HttpRequest) => Promise<unknown>, unknown]>([
    ['text', (r) => r.text(), '{"a":1}'],
    ['json', (r) => r.json(), { a: 1 }],
    ['arrayBuffer', async (r) => Buffer.from(await r.arrayBuffer()).toString(), '{"a":1}'],
    ['blob', async (r) => (await r.blob()).text(), '{"a":1}'],
    ['body stream', async (r) => new Response(r.body).text(), '{"a":1}'],
  ])('reads the body with %s, once (as fetch)', async (_name, read, expected) => {
    const request = make('POST', '{"a":1}');
    expect(request.bodyUsed).toBe(false);
    expect(await read(request)).toEqual(expected);
    expect(request.bodyUsed).toBe(true);
    await expect(request.text()).rejects.toThrow(TypeError);
  });

  it.each(['GET', 'HEAD'])('%s carries no body, as fetch requires', async (method) => {
    const request = make(method, 'ignored');
    expect(request.body).toBeNull();
    expect(await request.text()).toBe('');
  });

  it('a POST without a body reads as empty text', async () => {
    expect(await make('POST').text()).toBe('');
  });

  it('clones before the body is read, each with its own body', async () => {
    const request = make('POST', 'twice');
    const copy = request.clone();
    expect(await copy.text()).toBe('twice');
    expect(await request.text()).toBe('twice');
  });
});
