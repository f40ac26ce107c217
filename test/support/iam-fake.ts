/**
 * A small fake of the IAM API on 127.0.0.1: the three read operations the migration planner uses
 * (GetRole, GetUser, ListRoles), in IAM's query protocol (form-encoded POST, XML answers), so the
 * real `@aws-sdk/client-iam` talks to it unchanged. It knows the principals it is given (full
 * ARNs, path included) and records every call. Role and user names match case-insensitively, as
 * IAM names do.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

export interface IamFakeCall {
  readonly action: string;
  readonly params: Record<string, string>;
}

export interface IamFake {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly calls: IamFakeCall[];
  /** Replaces the known principals. */
  setPrincipals(arns: readonly string[]): void;
  /** Answers every call with this error (e.g. AccessDenied) until cleared with undefined. */
  failWith(code: string | undefined): void;
  close(): Promise<void>;
}

interface Principal {
  readonly arn: string;
  readonly kind: 'role' | 'user';
  readonly path: string;
  readonly name: string;
}

export async function startIamFake(principals: readonly string[] = []): Promise<IamFake> {
  let known = principals.map(parse);
  let failure: string | undefined;
  const calls: IamFakeCall[] = [];

  const answer = (action: string, params: Record<string, string>): { status: number; xml: string } => {
    if (failure) {
      return error(failure === 'AccessDenied' ? 403 : 400, failure, `User is not authorized to perform: iam:${action}`);
    }
    switch (action) {
      case 'GetRole':
      case 'GetUser': {
        const kind = action === 'GetRole' ? 'role' : 'user';
        const name = params[action === 'GetRole' ? 'RoleName' : 'UserName'] ?? '';
        const found = known.find((p) => p.kind === kind && p.name.toLowerCase() === name.toLowerCase());
        if (!found) {
          return error(404, 'NoSuchEntity', `The ${kind} with name ${name} cannot be found.`);
        }
        return ok(action, kind === 'role' ? `<Role>${fields(found)}</Role>` : `<User>${fields(found)}</User>`);
      }
      case 'ListRoles': {
        const prefix = params.PathPrefix ?? '/';
        const roles = known.filter((p) => p.kind === 'role' && p.path.startsWith(prefix));
        const start = Number(params.Marker ?? '0');
        const size = Number(params.MaxItems ?? '1');
        const pageOf = roles.slice(start, start + size);
        const more = start + size < roles.length;
        return ok(action, `<Roles>${pageOf.map((r) => `<member>${fields(r)}</member>`).join('')}</Roles><IsTruncated>${more}</IsTruncated>${more ? `<Marker>${start + size}</Marker>` : ''}`);
      }
      default:
        return error(400, 'InvalidAction', `The action ${action} is not valid for this web service.`);
    }
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      const action = params.Action ?? '';
      calls.push({ action, params });
      const { status, xml } = answer(action, params);
      res.writeHead(status, { 'Content-Type': 'text/xml' });
      res.end(xml);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    setPrincipals: (arns) => {
      known = arns.map(parse);
    },
    failWith: (code) => {
      failure = code;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function parse(arn: string): Principal {
  const resource = arn.split(':').slice(5).join(':');
  const [kind, ...rest] = resource.split('/');
  const name = rest.pop()!;
  return { arn, kind: kind as 'role' | 'user', path: rest.length > 0 ? `/${rest.join('/')}/` : '/', name };
}

function fields(p: Principal): string {
  const id = `${p.kind === 'role' ? 'AROA' : 'AIDA'}${Buffer.from(p.name).toString('hex').slice(0, 16).toUpperCase().padEnd(16, '0')}`;
  const nameTag = p.kind === 'role' ? 'RoleName' : 'UserName';
  const idTag = p.kind === 'role' ? 'RoleId' : 'UserId';
  return `<Path>${escape(p.path)}</Path><${nameTag}>${escape(p.name)}</${nameTag}><${idTag}>${id}</${idTag}><Arn>${escape(p.arn)}</Arn><CreateDate>2024-01-01T00:00:00Z</CreateDate>`;
}

function ok(action: string, result: string): { status: number; xml: string } {
  const xml = `<${action}Response xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>fake-request</RequestId></ResponseMetadata></${action}Response>`;
  return { status: 200, xml };
}

function error(status: number, code: string, message: string): { status: number; xml: string } {
  const xml = `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escape(message)}</Message></Error><RequestId>fake-request</RequestId></ErrorResponse>`;
  return { status, xml };
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
