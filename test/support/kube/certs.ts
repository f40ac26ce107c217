/**
 * TLS material for the test API server, made fresh for every run with the `openssl` CLI: a CA, a
 * serving certificate for 127.0.0.1 signed by it, and an ECDSA key pair for service-account tokens.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ClusterCertificates {
  readonly caCertFile: string;
  readonly caKeyFile: string;
  readonly servingCertFile: string;
  readonly servingKeyFile: string;
  readonly serviceAccountKeyFile: string;
  readonly serviceAccountPublicKeyFile: string;
}

/** Writes the certificates and keys into `dir` (which must exist) and returns their paths. */
export function makeClusterCertificates(dir: string, commonName = 'cdk-eks-access test cluster'): ClusterCertificates {
  const files: ClusterCertificates = {
    caCertFile: join(dir, 'ca.crt'),
    caKeyFile: join(dir, 'ca.key'),
    servingCertFile: join(dir, 'apiserver.crt'),
    servingKeyFile: join(dir, 'apiserver.key'),
    serviceAccountKeyFile: join(dir, 'sa.key'),
    serviceAccountPublicKeyFile: join(dir, 'sa.pub'),
  };
  const csr = join(dir, 'apiserver.csr');
  const ext = join(dir, 'apiserver.ext');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', files.caKeyFile, '-out', files.caCertFile, '-days', '2',
    '-subj', `/CN=${commonName} CA`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  openssl(['req', ...ec, '-keyout', files.servingKeyFile, '-out', csr, '-subj', '/CN=kube-apiserver']);
  writeFileSync(ext, [
    'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc',
    'extendedKeyUsage=serverAuth',
    'keyUsage=critical,digitalSignature',
    'basicConstraints=CA:FALSE',
    '',
  ].join('\n'));
  openssl(['x509', '-req', '-in', csr, '-CA', files.caCertFile, '-CAkey', files.caKeyFile, '-CAcreateserial',
    '-out', files.servingCertFile, '-days', '2', '-extfile', ext]);
  const sa = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  writeFileSync(files.serviceAccountKeyFile, sa.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(files.serviceAccountPublicKeyFile, sa.publicKey.export({ type: 'spki', format: 'pem' }));
  return files;
}

function openssl(args: string[]): void {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === 'ENOENT') {
      throw new Error('the Kubernetes test harness needs the openssl command to make its TLS certificates; install it (for example `apt-get install openssl`) and retry');
    }
    throw new Error(`openssl ${args[0]} failed: ${err.stderr?.toString().trim() ?? err.message}`);
  }
}
