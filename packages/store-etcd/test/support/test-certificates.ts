import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** PEM files made by {@link makeTestCertificates}. */
export interface TestCertificates {
  /** The CA certificate. */
  caFile: string;
  /** A server certificate for 127.0.0.1 and its key. */
  certFile: string;
  keyFile: string;
  /** A client certificate and its key. */
  clientCertFile: string;
  clientKeyFile: string;
}

/** Makes a throwaway CA, a server certificate for 127.0.0.1 and a client certificate in `directory`, with openssl. */
export function makeTestCertificates(directory: string): TestCertificates {
  const path = (name: string) => join(directory, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=novacron-test-ca',
    '-keyout',
    path('ca-key.pem'),
    '-out',
    path('ca.pem'),
  );
  writeFileSync(path('server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n');
  writeFileSync(path('client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, subject] of [
    ['server', '/CN=127.0.0.1'],
    ['client', '/CN=novacron-client'],
  ] as const) {
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      subject,
      '-keyout',
      path(`${name}-key.pem`),
      '-out',
      path(`${name}.csr`),
    );
    openssl(
      'x509',
      '-req',
      '-in',
      path(`${name}.csr`),
      '-CA',
      path('ca.pem'),
      '-CAkey',
      path('ca-key.pem'),
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      path(`${name}.ext`),
      '-out',
      path(`${name}.pem`),
    );
  }
  return {
    caFile: path('ca.pem'),
    certFile: path('server.pem'),
    keyFile: path('server-key.pem'),
    clientCertFile: path('client.pem'),
    clientKeyFile: path('client-key.pem'),
  };
}
