import { createServer, Server } from 'node:net';
import { LocalHost } from './host';
import { createLogger } from './logger';

const options = { corsOrigins: [], logger: createLogger('none') };

function occupy(port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

/** 127.0.0.2 is a loopback address on Linux (all of 127/8), not on macOS by default. */
const onLinux = process.platform === 'linux' ? it : it.skip;

describe('LocalHost listeners', () => {
  onLinux('listens on every address with the port the first one picked', async () => {
    const host = new LocalHost([], { ...options, port: 0, hostnames: ['127.0.0.1', '127.0.0.2'] });
    await host.start();
    try {
      expect(host.addresses.map((a) => [a.address, a.port])).toEqual([
        ['127.0.0.1', host.port],
        ['127.0.0.2', host.port],
      ]);
    } finally {
      await host.stop();
    }
  });

  it('skips an address the machine does not have (e.g. ::1 without IPv6) and serves on the others', async () => {
    const host = new LocalHost([], { ...options, port: 0, hostnames: ['127.0.0.1', '192.0.2.1'] });
    await host.start();
    try {
      expect(host.addresses.map((a) => a.address)).toEqual(['127.0.0.1']);
    } finally {
      await host.stop();
    }
  });

  onLinux(
    'with a fixed port held on a later address, fails with EADDRINUSE and leaves no listener behind',
    async () => {
      const blocker = await occupy(0, '127.0.0.2');
      const port = (blocker.address() as { port: number }).port;
      try {
        const host = new LocalHost([], { ...options, port, hostnames: ['127.0.0.1', '127.0.0.2'] });
        await expect(host.start()).rejects.toMatchObject({ code: 'EADDRINUSE' });
        // 127.0.0.1:port was released again.
        const probe = await occupy(port, '127.0.0.1');
        await new Promise((r) => probe.close(r));
      } finally {
        await new Promise((r) => blocker.close(r));
      }
    },
  );
});
