import * as fc from 'fast-check';
import { accountId, configMap, deepFreeze, roleArn, text, userArn } from './arbitraries';
import {
  AwsAuthConfigMap, addAccount, addIdentityMapping, removeAccount, removeIdentityMapping,
} from '../../../lib/core/aws-auth';

/** A ConfigMap plus an ARN that is either already in it or new. */
const withArn = configMap.chain((cm) => {
  const present = [...cm.mapRoles.flatMap((r) => (r.rolearn ? [r.rolearn] : [])), ...cm.mapUsers.map((u) => u.userarn!)];
  const candidates = present.length > 0 ? fc.oneof(fc.constantFrom(...present), roleArn, userArn) : fc.oneof(roleArn, userArn);
  return fc.tuple(fc.constant(cm), candidates);
});

/** Entries of other ARNs: the authenticator, and so every edit, compares ARNs case-insensitively. */
const others = (cm: AwsAuthConfigMap, arn: string) => ({
  roles: cm.mapRoles.filter((r) => r.rolearn?.toLowerCase() !== arn.toLowerCase()),
  users: cm.mapUsers.filter((u) => u.userarn?.toLowerCase() !== arn.toLowerCase()),
});

describe('an edit never changes entries it does not target, nor its input (properties)', () => {
  test('add mapping: everything before stays, in order; one entry appended', () => {
    fc.assert(fc.property(withArn, text, fc.array(text, { maxLength: 3 }), ([cm, arn], username, groups) => {
      deepFreeze(cm);
      if (username === '' && groups.length === 0) {
        expect(() => addIdentityMapping(cm, { arn, username, groups })).toThrow('needs a username or at least one group');
        return;
      }
      const { configMap: next } = addIdentityMapping(cm, { arn, username, groups });
      const isRole = arn.includes(':role/');
      expect(next.mapRoles.slice(0, cm.mapRoles.length)).toEqual(cm.mapRoles);
      expect(next.mapUsers.slice(0, cm.mapUsers.length)).toEqual(cm.mapUsers);
      expect(next.mapRoles.length + next.mapUsers.length).toBe(cm.mapRoles.length + cm.mapUsers.length + 1);
      expect((isRole ? next.mapRoles : next.mapUsers).slice(-1)[0]).toMatchObject(isRole ? { rolearn: arn } : { userarn: arn });
      expect({ ...next, mapRoles: [], mapUsers: [] }).toEqual({ ...cm, mapRoles: [], mapUsers: [] });
    }), { numRuns: 200 });
  });

  test('remove mapping (first or all): entries of other ARNs stay, in order', () => {
    fc.assert(fc.property(withArn, fc.boolean(), ([cm, arn], all) => {
      deepFreeze(cm);
      const same = (x: string | undefined) => x?.toLowerCase() === arn.toLowerCase();
      const present = cm.mapRoles.some((r) => same(r.rolearn)) || cm.mapUsers.some((u) => same(u.userarn));
      if (!present && !all) {
        expect(() => removeIdentityMapping(cm, arn)).toThrow(arn);
        return;
      }
      const { configMap: next } = removeIdentityMapping(cm, arn, { all });
      expect(others(next, arn)).toEqual(others(cm, arn));
      const before = cm.mapRoles.length + cm.mapUsers.length;
      const after = next.mapRoles.length + next.mapUsers.length;
      const matches = before - others(cm, arn).roles.length - others(cm, arn).users.length;
      expect(before - after).toBe(all ? matches : Math.min(1, matches));
      expect(next.mapAccounts).toEqual(cm.mapAccounts);
      expect(next.metadata).toEqual(cm.metadata);
    }), { numRuns: 200 });
  });

  test('add and remove account: other accounts and all mappings stay, in order', () => {
    fc.assert(fc.property(configMap, accountId, (cm, account) => {
      deepFreeze(cm);
      const added = addAccount(cm, account).configMap;
      expect(added.mapAccounts.filter((a) => a !== account)).toEqual(cm.mapAccounts.filter((a) => a !== account));
      expect(added.mapAccounts).toContain(account);
      const removed = removeAccount(added, account).configMap;
      expect(removed.mapAccounts).toEqual(cm.mapAccounts.filter((a) => a !== account));
      expect([removed.mapRoles, removed.mapUsers, removed.metadata]).toEqual([cm.mapRoles, cm.mapUsers, cm.metadata]);
    }), { numRuns: 200 });
  });
});
