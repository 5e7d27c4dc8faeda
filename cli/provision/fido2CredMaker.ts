import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import type { CredentialMaker, CredentialRequest, GraphPublicKeyCredential } from './credential';
import { FatalError } from './errors';
import { parseFido2CredOutput, planFido2Cred, toGraphCredentialFromFido2Cred } from './fido2Cred';

export const FIDO2_CRED_BINARY = 'fido2-cred';

/** The executable's path on PATH, or undefined. */
export function findOnPath(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * Runs `fido2-cred` with stdin and stderr passed through to the terminal (its PIN prompt reads the tty,
 * or stdin when there is none) and returns what it printed on stdout.
 */
export function runFido2Cred(binary: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['inherit', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', (e: NodeJS.ErrnoException) => {
      reject(
        e.code === 'ENOENT'
          ? new FatalError(
              `'${binary}' was not found: install libfido2's tools (Debian/Ubuntu: apt install fido2-tools).`,
              { cause: e },
            )
          : e,
      );
    });
    child.on('close', (code, signal) => {
      if (code === 0) resolve(Buffer.concat(chunks).toString('utf8'));
      else
        reject(
          new Error(`fido2-cred failed (${signal ? `signal ${signal}` : `exit code ${code}`}); its message is above.`),
        );
    });
  });
}

/**
 * A real security key through libfido2's `fido2-cred -M`. The operator inserts each user's key when
 * asked (when stdin is a terminal and the prompt is on), enters the PIN if the key asks, and touches it.
 */
export class Fido2CredMaker implements CredentialMaker {
  readonly kind = 'fido2-cred' as const;

  constructor(
    private readonly device: string,
    private readonly options: {
      keyPrompt: boolean;
      binary?: string;
      run?: typeof runFido2Cred;
      stderr?: { write(text: string): unknown };
    } = { keyPrompt: true },
  ) {}

  /** Fails early when the tool is missing, before any user is claimed. */
  static preflight(binary = FIDO2_CRED_BINARY): void {
    if (binary.includes('/') || findOnPath(binary)) return;
    throw new FatalError(
      `'${binary}' is not on PATH: install libfido2's tools (Debian/Ubuntu: apt install fido2-tools) to use --authenticator fido2-cred.`,
    );
  }

  private async promptForKey(userPrincipalName: string): Promise<void> {
    if (!this.options.keyPrompt || !process.stdin.isTTY) return;
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      await rl.question(`Insert the security key for ${userPrincipalName} at ${this.device}, then press Enter: `);
    } finally {
      rl.close();
    }
  }

  async create(
    publicKey: PublicKeyCredentialCreationOptionsJSON,
    request: CredentialRequest,
  ): Promise<GraphPublicKeyCredential> {
    await this.promptForKey(request.userPrincipalName);
    const dir = await mkdtemp(join(tmpdir(), 'fido2-cred-'));
    try {
      const inputPath = join(dir, 'input');
      const plan = planFido2Cred(publicKey, { origin: request.origin, device: this.device, inputPath });
      await writeFile(inputPath, plan.input, { mode: 0o600 });
      (this.options.stderr ?? process.stderr).write(`Touch the key for ${request.userPrincipalName} when it blinks.\n`);
      const stdout = await (this.options.run ?? runFido2Cred)(this.options.binary ?? FIDO2_CRED_BINARY, plan.args);
      return toGraphCredentialFromFido2Cred(plan, parseFido2CredOutput(stdout));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
