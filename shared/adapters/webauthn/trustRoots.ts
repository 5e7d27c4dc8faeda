import { X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';

const CERTIFICATE_FILES = new Set(['.pem', '.crt', '.cer']);
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function readCertificates(file: string): X509Certificate[] {
  const bytes = readFileSync(file);
  const blocks = bytes.toString('latin1').match(PEM_BLOCK);
  try {
    // A file without PEM blocks is taken as one DER certificate (.cer files often are).
    return blocks ? blocks.map((pem) => new X509Certificate(pem)) : [new X509Certificate(bytes)];
  } catch (e) {
    throw new Error(
      `ATTESTATION_TRUST_ROOTS: ${file} holds something that is not an X.509 certificate (expected PEM blocks or one DER certificate).`,
      { cause: e },
    );
  }
}

/**
 * Reads the attestation roots the deployment trusts on purpose (ATTESTATION_TRUST_ROOTS): a PEM
 * file, or a folder whose *.pem, *.crt and *.cer files are read. A setting that yields no
 * certificate is refused at start, not silently ignored.
 */
export function loadTrustRoots(path: string | undefined): X509Certificate[] {
  if (!path) return [];
  let files: string[];
  try {
    files = statSync(path).isDirectory()
      ? readdirSync(path)
          .filter((name) => CERTIFICATE_FILES.has(extname(name).toLowerCase()))
          .sort()
          .map((name) => join(path, name))
      : [path];
  } catch (e) {
    throw new Error(`ATTESTATION_TRUST_ROOTS: cannot read ${path}.`, { cause: e });
  }
  const roots = files.flatMap(readCertificates);
  if (roots.length === 0)
    throw new Error(
      `ATTESTATION_TRUST_ROOTS: ${path} holds no certificate (expected a PEM file, or a folder of .pem/.crt/.cer files).`,
    );
  return roots;
}
