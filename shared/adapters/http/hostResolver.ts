import { lookup } from 'node:dns/promises';

/** One address a host name stands for. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Every address of a host name, as the connection could use them. Rejects when the name does not resolve. */
export type HostResolver = (host: string) => Promise<ResolvedAddress[]>;

/** The system resolver (getaddrinfo, as connections use it): every answer, in the resolver's order. */
export const systemResolver: HostResolver = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map(({ address, family }) => ({
    address,
    family: family === 6 ? 6 : 4,
  }));
