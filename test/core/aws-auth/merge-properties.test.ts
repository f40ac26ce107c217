/**
 * The merge's properties over generated ConfigMaps and desired states. Seconds each, so the
 * mutation runs leave them out (stryker.config.json), as they do the other property tests.
 */
import * as fc from 'fast-check';
import { accountId, configMap as configMapArbitrary, deepFreeze, roleArn, text, userArn } from './arbitraries';
import { AwsAuthConfigMap, loadAwsAuth, mergeOwnedAwsAuth, readOwnerRecords, renderAwsAuthYaml } from '../../../lib/core/aws-auth';
import { DesiredAwsAuth } from '../../../lib/core/desired-state';

const none: DesiredAwsAuth = { mapRoles: [], mapUsers: [], mapAccounts: [] };
/** A merge, then the result read back from its YAML, as the next deploy would see it. */
const merge = (cm: AwsAuthConfigMap, owner: string, desired: DesiredAwsAuth) => {
  const result = mergeOwnedAwsAuth(cm, owner, desired);
  return { ...result, configMap: loadAwsAuth(renderAwsAuthYaml(result.configMap)) };
};

describe('merge properties', () => {
  const desired = fc.record({
    mapRoles: fc.uniqueArray(fc.record({ rolearn: roleArn, username: text, groups: fc.array(text, { maxLength: 2 }) }, { requiredKeys: ['rolearn', 'groups'] }), { selector: (r) => r.rolearn.toLowerCase(), maxLength: 3 }),
    mapUsers: fc.uniqueArray(fc.record({ userarn: userArn, username: text, groups: fc.array(text, { maxLength: 2 }) }, { requiredKeys: ['userarn', 'groups'] }), { selector: (u) => u.userarn.toLowerCase(), maxLength: 2 }),
    mapAccounts: fc.uniqueArray(accountId, { maxLength: 2 }),
  });

  test('foreign entries survive, in order; a second merge is a no-op; withdrawing restores the data', () => {
    fc.assert(fc.property(configMapArbitrary, desired, desired, (cm, first, second) => {
      deepFreeze(cm);
      const a = merge(cm, 'owner', first);
      const foreignRoles = cm.mapRoles;
      // Every foreign entry is still there, in the same relative order.
      const survivors = a.configMap.mapRoles.filter((r) => foreignRoles.some((f) => JSON.stringify(f) === JSON.stringify(r)));
      expect(survivors.length).toBeGreaterThanOrEqual(foreignRoles.length);
      expect(a.configMap.mapRoles.slice(0, cm.mapRoles.length)).toEqual(cm.mapRoles);
      expect(a.configMap.mapUsers.slice(0, cm.mapUsers.length)).toEqual(cm.mapUsers);
      expect(merge(a.configMap, 'owner', first).changed).toBe(false);
      // Another owner's merge leaves the first owner's record alone.
      const b = merge(a.configMap, 'other', second);
      expect(readOwnerRecords(b.configMap).owner).toEqual(readOwnerRecords(a.configMap).owner);
      // Withdrawing both restores exactly the original data.
      const back = merge(merge(b.configMap, 'owner', none).configMap, 'other', none).configMap;
      expect([back.mapRoles, back.mapUsers, back.mapAccounts]).toEqual([cm.mapRoles, cm.mapUsers, cm.mapAccounts]);
      expect(back.metadata).toEqual(cm.metadata);
    }), { numRuns: 60 });
  });
});
