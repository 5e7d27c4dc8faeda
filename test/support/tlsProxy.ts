import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { createServer, Server } from 'node:https';
import { AddressInfo } from 'node:net';
import * as x509 from '@peculiar/x509';

/** A self-signed certificate for `localhost` / 127.0.0.1, PEM encoded. */
export async function selfSignedLocalhost(): Promise<{ cert: string; key: string }> {
  const crypto = webcrypto;
  const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomBytes(8)
        .toString('hex')
        .replace(/^[89a-f]/, '1'),
      name: 'CN=localhost',
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + 24 * 3600_000),
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.SubjectAlternativeNameExtension([
          { type: 'dns', value: 'localhost' },
          { type: 'ip', value: '127.0.0.1' },
        ]),
      ],
    },
    crypto,
  );
  const pkcs8 = Buffer.from(await crypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  const key = `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
  return { cert: certificate.toString('pem'), key };
}

export interface TlsProxy {
  /** https://localhost:PORT */
  url: string;
  cert: string;
  close(): Promise<void>;
}

/**
 * A TLS-terminating reverse proxy, as nginx with `proxy_pass` would be: it connects to the host on
 * loopback (Host: the upstream address) and tells it what the client used with X-Forwarded-Proto,
 * X-Forwarded-Host and an appended X-Forwarded-For.
 */
export async function startTlsProxy(upstreamPort: number): Promise<TlsProxy> {
  const { cert, key } = await selfSignedLocalhost();
  const server: Server = createServer({ cert, key }, (req, res) => {
    const headers = { ...req.headers };
    const forwardedFor = [headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ');
    Object.assign(headers, {
      host: `127.0.0.1:${upstreamPort}`,
      'x-forwarded-proto': 'https',
      'x-forwarded-host': req.headers.host ?? '',
      'x-forwarded-for': forwardedFor,
    });
    const upstream = httpRequest(
      { host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://localhost:${port}`,
    cert,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
