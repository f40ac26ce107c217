/**
 * The EKS authenticator, emulated for the test API server: an HTTP server on 127.0.0.1 speaking the
 * `authentication.k8s.io/v1` TokenReview webhook protocol. It verifies `k8s-aws-v1.` tokens (with
 * STS emulated by the test credentials) and maps the caller through access entries and aws-auth.
 *
 * `POST /authorize` is the matching SubjectAccessReview webhook: it allows what the caller's access
 * policies allow (see `access-policy-authorizer.ts`) and has no opinion otherwise.
 *
 * `GET /decisions` returns the most recent decisions (newest last), so tests can see why a token
 * was refused; the token itself is never recorded.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { ACCESS_ENTRY_EXTRA, accessPolicyDecision, AccessReviewSpec } from './access-policy-authorizer';
import { TokenRejectedError, verifyEksToken } from './eks-token-verifier';
import { IdentityMapperOptions, mapCaller } from './identity';
import { TestPrincipal } from './principals';

export interface AuthWebhookOptions extends IdentityMapperOptions {
  readonly principals: readonly TestPrincipal[];
}

/** One authentication decision. */
export interface AuthDecision {
  readonly time: string;
  readonly authenticated: boolean;
  readonly principal?: string;
  readonly username?: string;
  readonly groups?: string[];
  /** Why a token was refused. */
  readonly error?: string;
}

export interface RunningAuthWebhook {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly decisions: AuthDecision[];
  stop(): Promise<void>;
}

const MAX_DECISIONS = 200;

export async function startAuthWebhook(options: AuthWebhookOptions): Promise<RunningAuthWebhook> {
  const decisions: AuthDecision[] = [];
  const record = (d: Omit<AuthDecision, 'time'>) => {
    decisions.push({ time: new Date().toISOString(), ...d });
    decisions.splice(0, Math.max(0, decisions.length - MAX_DECISIONS));
  };

  const authenticate = async (token: string): Promise<object> => {
    try {
      const caller = await verifyEksToken(token, { clusterName: options.clusterName, principals: options.principals });
      const user = await mapCaller(caller, options);
      if ('denied' in user) {
        record({ authenticated: false, principal: caller.principal.principalArn, error: user.denied });
        return { authenticated: false, error: user.denied };
      }
      record({ authenticated: true, principal: caller.principal.principalArn, username: user.username, groups: user.groups });
      return { authenticated: true, user };
    } catch (e) {
      const error = e instanceof TokenRejectedError ? e.message : `authenticator failure: ${(e as Error).message}`;
      record({ authenticated: false, error });
      return { authenticated: false, error };
    }
  };

  const authorize = (spec: AccessReviewSpec): object => {
    const principalArn = spec.extra?.[ACCESS_ENTRY_EXTRA]?.[0];
    const entry = principalArn ? options.eks?.accessEntry(options.clusterName, principalArn) : undefined;
    const allowedBy = accessPolicyDecision(spec, entry);
    return allowedBy ? { allowed: true, reason: `EKS access policy ${allowedBy}` } : { allowed: false };
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname; // the API server adds ?timeout=
    if (req.method === 'GET' && path === '/decisions') {
      reply(200, decisions);
      return;
    }
    if (req.method !== 'POST' || (path !== '/authenticate' && path !== '/authorize')) {
      reply(404, { error: `no route ${req.method} ${req.url}` });
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let review: { apiVersion?: string; spec?: { token?: string } };
      try {
        review = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        reply(400, { error: 'body is not JSON' });
        return;
      }
      if (path === '/authorize') {
        reply(200, { apiVersion: review.apiVersion ?? 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', status: authorize(review.spec as AccessReviewSpec ?? {}) });
        return;
      }
      void authenticate(review.spec?.token ?? '').then((status) => reply(200, {
        apiVersion: review.apiVersion ?? 'authentication.k8s.io/v1',
        kind: 'TokenReview',
        status,
      }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    decisions,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
