import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TlsFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
  /** PEM of the CA, for clients that must trust it. */
  ca: string;
}

/** A throwaway CA and a certificate for 127.0.0.1/localhost, made with the system's openssl. */
export async function createTlsFiles(dir: string): Promise<TlsFiles> {
  const caKey = join(dir, 'ca.key');
  const caFile = join(dir, 'ca.crt');
  const keyFile = join(dir, 'server.key');
  const csr = join(dir, 'server.csr');
  const certFile = join(dir, 'server.crt');
  const ext = join(dir, 'server.ext');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=failover-drill test CA',
    '-keyout',
    caKey,
    '-out',
    caFile,
  ]);
  await run('openssl', [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-keyout',
    keyFile,
    '-out',
    csr,
  ]);
  await writeFile(ext, 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    caFile,
    '-CAkey',
    caKey,
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    ext,
    '-out',
    certFile,
  ]);
  return { caFile, certFile, keyFile, ca: await readFile(caFile, 'utf8') };
}
