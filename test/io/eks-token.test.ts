import { createHash, createHmac } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { eksTokenProvider, eksTokenUrl, mintEksToken, stsHostname } from '../../lib/io/eks-token';
import { TokenRejectedError, verifyEksToken } from '../support/kube/eks-token-verifier';
import { deriveCredentials, makeTestPrincipals, TestPrincipal } from '../support/kube/principals';

const FIXED = {
  accessKeyId: 'ASIAEXAMPLEKEY000001',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE//session+token=',
};
const SIGNED_AT = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));

/** SigV4 for a presigned GET, written from the specification with node:crypto only. */
function independentPresignSignature(url: URL, clusterName: string, secret: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const pairs = [...url.searchParams].filter(([k]) => k !== 'X-Amz-Signature').map(([k, v]) => [enc(k), enc(v)]);
  pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const canonicalRequest = [
    'GET',
    '/',
    pairs.map(([k, v]) => `${k}=${v}`).join('&'),
    `host:${url.hostname}`,
    `x-k8s-aws-id:${clusterName}`,
    '',
    'host;x-k8s-aws-id',
    createHash('sha256').update('').digest('hex'),
  ].join('\n');
  const amzDate = url.searchParams.get('X-Amz-Date')!;
  const [, day, region, service] = url.searchParams.get('X-Amz-Credential')!.split('/');
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    `${day}/${region}/${service}/aws4_request`,
    createHash('sha256').update(canonicalRequest).digest('hex'),
  ].join('\n');
  const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), 'aws4_request');
  return createHmac('sha256', signingKey).update(stringToSign).digest('hex');
}

describe('mintEksToken', () => {
  test('presigns GetCallerIdentity for the regional STS endpoint with the cluster name signed in', async () => {
    const { token } = await mintEksToken({ clusterName: 'prod-eu', region: 'eu-west-1', credentials: FIXED, now: () => SIGNED_AT });
    expect(token.startsWith('k8s-aws-v1.')).toBe(true);
    expect(token.slice('k8s-aws-v1.'.length)).toMatch(/^[A-Za-z0-9_-]+$/); // base64url, no '=' padding

    const url = eksTokenUrl(token);
    expect(url.protocol).toBe('https:');
    expect(url.hostname).toBe('sts.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      'Action': 'GetCallerIdentity',
      'Version': '2011-06-15',
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': 'ASIAEXAMPLEKEY000001/20260102/eu-west-1/sts/aws4_request',
      'X-Amz-Date': '20260102T030405Z',
      'X-Amz-Expires': '60',
      'X-Amz-Security-Token': FIXED.sessionToken,
      'X-Amz-SignedHeaders': 'host;x-k8s-aws-id',
      'X-Amz-Signature': expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    // The query is in canonical (sorted) order, as the CLI produces it.
    const keys = [...url.searchParams.keys()];
    expect(keys).toEqual([...keys].sort());
  });

  test('signature equals an independent SigV4 computation (known-answer)', async () => {
    const { token } = await mintEksToken({ clusterName: 'prod-eu', region: 'eu-west-1', credentials: FIXED, now: () => SIGNED_AT });
    const url = eksTokenUrl(token);
    expect(url.searchParams.get('X-Amz-Signature')).toBe(independentPresignSignature(url, 'prod-eu', FIXED.secretAccessKey));
    // The same computation with another cluster name or secret gives another signature.
    expect(url.searchParams.get('X-Amz-Signature')).not.toBe(independentPresignSignature(url, 'prod-us', FIXED.secretAccessKey));
    expect(url.searchParams.get('X-Amz-Signature')).not.toBe(independentPresignSignature(url, 'prod-eu', 'x' + FIXED.secretAccessKey));
  });

  test('is deterministic for fixed inputs and never padded whatever the length', async () => {
    const a = await mintEksToken({ clusterName: 'c', region: 'us-east-1', credentials: FIXED, now: () => SIGNED_AT });
    const b = await mintEksToken({ clusterName: 'c', region: 'us-east-1', credentials: FIXED, now: () => SIGNED_AT });
    expect(a.token).toBe(b.token);
    for (const name of ['a', 'ab', 'abc', 'abcd', 'abcde', 'abcdef']) {
      const { token } = await mintEksToken({ clusterName: name, region: 'us-east-1', credentials: FIXED, now: () => SIGNED_AT });
      expect(token).not.toContain('=');
      expect(eksTokenUrl(token).hostname).toBe('sts.us-east-1.amazonaws.com');
    }
  });

  test('leaves out the session token for long-term credentials and accepts a credential provider', async () => {
    const provider = jest.fn(async () => ({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' }));
    const { token, expiresAt } = await mintEksToken({ clusterName: 'c', region: 'cn-north-1', credentials: provider, now: () => SIGNED_AT });
    const url = eksTokenUrl(token);
    expect(provider).toHaveBeenCalled();
    expect(url.hostname).toBe('sts.cn-north-1.amazonaws.com.cn');
    expect(url.searchParams.has('X-Amz-Security-Token')).toBe(false);
    expect(url.searchParams.get('X-Amz-Signature')).toBe(independentPresignSignature(url, 'c', 'secret'));
    expect(expiresAt.getTime() - SIGNED_AT.getTime()).toBe(14 * 60_000);
  });

  test('refuses an empty cluster name and a malformed region', async () => {
    await expect(mintEksToken({ clusterName: '', region: 'us-east-1', credentials: FIXED })).rejects.toThrow(/cluster name is empty/);
    await expect(mintEksToken({ clusterName: 'c', region: 'https://evil.example', credentials: FIXED })).rejects.toThrow(/"https:\/\/evil.example" is not an AWS region/);
    expect(stsHostname('us-gov-west-1')).toBe('sts.us-gov-west-1.amazonaws.com');
    expect(stsHostname('us-iso-east-1')).toBe('sts.us-iso-east-1.c2s.ic.gov');
    expect(stsHostname('us-isob-east-1')).toBe('sts.us-isob-east-1.sc2s.sgov.gov');
    expect(stsHostname('eusc-de-east-1')).toBe('sts.eusc-de-east-1.amazonaws.eu');
  });

  test('eksTokenUrl rejects what is not a token, without echoing it', () => {
    expect(() => eksTokenUrl('Bearer abc')).toThrow(/does not start with "k8s-aws-v1."/);
    expect(() => eksTokenUrl('k8s-aws-v1.abc==')).toThrow(/unpadded base64url/);
  });

  test('eksTokenProvider reuses a token until shortly before it expires', async () => {
    let now = SIGNED_AT.getTime();
    const next = eksTokenProvider({ clusterName: 'c', region: 'us-east-1', credentials: FIXED, now: () => new Date(now) });
    const first = await next();
    now += 13 * 60_000;
    expect(await next()).toBe(first);
    now += 61_000;
    const renewed = await next();
    expect(renewed).not.toBe(first);
    expect(eksTokenUrl(renewed).searchParams.get('X-Amz-Date')).toBe('20260102T031806Z');
  });
});

describe('the harness token verifier (emulated EKS authenticator + STS)', () => {
  const principals = makeTestPrincipals();
  const dev = principals.find((p) => p.name === 'dev')!;
  const ops = principals.find((p) => p.name === 'ops')!;
  const creds = (p: TestPrincipal) => ({ accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey, sessionToken: p.sessionToken });
  const verify = (token: string, now = SIGNED_AT, clusterName = 'integ') => verifyEksToken(token, { clusterName, principals, now: () => now });
  const mint = async (p: TestPrincipal, over: { clusterName?: string; region?: string } = {}) =>
    (await mintEksToken({ clusterName: over.clusterName ?? 'integ', region: over.region ?? 'us-west-2', credentials: creds(p), now: () => SIGNED_AT })).token;
  /** Re-encodes a token after editing its URL (for tampering tests). */
  const edit = (token: string, change: (u: URL) => void) => {
    const u = eksTokenUrl(token);
    change(u);
    return 'k8s-aws-v1.' + Buffer.from(u.toString()).toString('base64url');
  };

  test('accepts a minted token and reports the STS identity', async () => {
    const caller = await verify(await mint(dev));
    expect(caller.arn).toBe('arn:aws:sts::111122223333:assumed-role/developer/alice@example.com');
    expect(caller.canonicalArn).toBe('arn:aws:iam::111122223333:role/developer');
    expect(caller.principal.principalArn).toBe('arn:aws:iam::111122223333:role/teams/dev/developer');
    const user = await verify(await mint(ops));
    expect(user.arn).toBe('arn:aws:iam::111122223333:user/ops/olga');
    expect(user.canonicalArn).toBe(user.arn);
  });

  test('accepts any credential set derived from a principal\'s seed, and only genuine ones', async () => {
    const fresh = deriveCredentials(dev);
    expect(fresh.accessKeyId).toMatch(/^ASIAXP\d\d[0-9A-Z]{12}$/);
    expect(fresh.accessKeyId).not.toBe(deriveCredentials(dev).accessKeyId);
    const token = (await mintEksToken({ clusterName: 'integ', region: 'us-west-2', credentials: fresh, now: () => SIGNED_AT })).token;
    const caller = await verify(token);
    expect([caller.principal.name, caller.accessKeyId, caller.arn]).toEqual(['dev', fresh.accessKeyId, 'arn:aws:sts::111122223333:assumed-role/developer/alice@example.com']);
    // A user's derived keys carry no session token, as long-term keys.
    expect(deriveCredentials(ops).sessionToken).toBeUndefined();
    expect((await verify((await mintEksToken({ clusterName: 'integ', region: 'us-west-2', credentials: deriveCredentials(ops), now: () => SIGNED_AT })).token)).principal.name).toBe('ops');
    // A guessed secret for a well-formed derived key fails; so does an unknown tag.
    const forged = { ...fresh, secretAccessKey: fresh.secretAccessKey.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) };
    await expect(verify((await mintEksToken({ clusterName: 'integ', region: 'us-west-2', credentials: forged, now: () => SIGNED_AT })).token)).rejects.toThrow(/signature does not match/);
    const unknownTag = { ...fresh, accessKeyId: 'ASIAXQ99' + fresh.accessKeyId.slice(8) };
    await expect(verify((await mintEksToken({ clusterName: 'integ', region: 'us-west-2', credentials: unknownTag, now: () => SIGNED_AT })).token)).rejects.toThrow(/unknown access key ASIAXQ99/);
  });

  test('accepts tokens up to 15 minutes old, and not after', async () => {
    const token = await mint(dev);
    await expect(verify(token, new Date(SIGNED_AT.getTime() + 15 * 60_000))).resolves.toBeDefined();
    await expect(verify(token, new Date(SIGNED_AT.getTime() + 15 * 60_000 + 1000))).rejects.toThrow(/expired/);
    await expect(verify(token, new Date(SIGNED_AT.getTime() - 10 * 60_000))).rejects.toThrow(/in the future/);
  });

  test('rejects a token minted for another cluster', async () => {
    await expect(verify(await mint(dev, { clusterName: 'other' }))).rejects.toThrow(/signature does not match.*"integ"/);
  });

  test('rejects unknown keys, foreign session tokens and forged signatures', async () => {
    const token = await mint(dev);
    const stranger = { ...dev, accessKeyId: 'ASIAUNKNOWN0000000', secretAccessKey: 'x' };
    await expect(verify(await mint(stranger))).rejects.toThrow(/unknown access key ASIAUNKNOWN0000000/);
    await expect(verify(edit(token, (u) => u.searchParams.set('X-Amz-Security-Token', 'stolen')))).rejects.toThrow(/session token/);
    await expect(verify(edit(token, (u) => u.searchParams.set('X-Amz-Signature', '0'.repeat(64))))).rejects.toThrow(/signature does not match/);
    const wrongSecret = { ...dev, secretAccessKey: dev.secretAccessKey + 'x' };
    await expect(verify(await mint(wrongSecret))).rejects.toThrow(TokenRejectedError);
  });

  test('rejects malformed tokens and URLs before any signature check', async () => {
    const token = await mint(dev);
    await expect(verify('k8s-aws-v2.' + token.slice(11))).rejects.toThrow(/does not start with/);
    await expect(verify(token + '==')).rejects.toThrow(/unpadded base64url/);
    await expect(verify(edit(token, (u) => { u.hostname = 'sts.evil.example.com'; }))).rejects.toThrow(/unexpected STS host/);
    await expect(verify(edit(token, (u) => u.searchParams.set('Action', 'AssumeRole')))).rejects.toThrow(/unexpected action "AssumeRole"/);
    await expect(verify(edit(token, (u) => u.searchParams.set('Version', '2010-01-01')))).rejects.toThrow(/unexpected STS version/);
    await expect(verify(edit(token, (u) => u.searchParams.set('X-Amz-Expires', '901')))).rejects.toThrow(/X-Amz-Expires must be 1..900/);
    await expect(verify(edit(token, (u) => u.searchParams.set('X-Amz-SignedHeaders', 'host')))).rejects.toThrow(/x-k8s-aws-id is not among the signed headers/);
    await expect(verify(edit(token, (u) => u.searchParams.set('X-Amz-Extra', '1')))).rejects.toThrow(/non-allowlisted query parameter "X-Amz-Extra"/);
    await expect(verify(edit(token, (u) => { u.hostname = 'sts.amazonaws.com'; }))).rejects.toThrow(/region us-west-2 does not match STS host/);
  });

  test('accepts a token presigned for the global STS endpoint (us-east-1 scope)', async () => {
    const signer = new SignatureV4({ credentials: creds(dev), region: 'us-east-1', service: 'sts', sha256: Sha256 });
    const presigned = await signer.presign(new HttpRequest({
      method: 'GET',
      protocol: 'https:',
      hostname: 'sts.amazonaws.com',
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { 'host': 'sts.amazonaws.com', 'x-k8s-aws-id': 'integ' },
    }), { expiresIn: 60, signingDate: SIGNED_AT });
    const url = new URL('https://sts.amazonaws.com/');
    for (const [k, v] of Object.entries(presigned.query ?? {})) {
      url.searchParams.set(k, String(v));
    }
    const token = 'k8s-aws-v1.' + Buffer.from(url.toString()).toString('base64url');
    expect((await verify(token)).principal.name).toBe('dev');
    // The host is signed: moving the token to a regional endpoint breaks it.
    await expect(verify(edit(token, (u) => { u.hostname = 'sts.us-east-1.amazonaws.com'; }))).rejects.toThrow(/signature does not match/);
  });
});
