/** The authenticator's own validation of each entry (RoleMapping.Validate, UserMapping.Validate). */
import { roleMappingProblem, userMappingProblem } from '../../../lib/core/aws-auth';

const SSO = { permissionSetName: 'Admin', accountID: '111122223333' };

describe('roleMappingProblem', () => {
  test('an empty rolearn is no rolearn: alone it is dropped, with an SSO matcher it is not "both"', () => {
    expect(roleMappingProblem({ rolearn: '' })).toBe('entry has neither rolearn nor sso: the authenticator drops it');
    expect(roleMappingProblem({ rolearn: '', sso: SSO })).toBeUndefined();
    expect(roleMappingProblem({ rolearn: 'arn:aws:iam::111122223333:role/a', sso: SSO })).toBe('entry has both rolearn and sso: the authenticator drops it (set only one)');
  });

  test('a userid alone is named in the message; an empty one is not', () => {
    expect(roleMappingProblem({ userid: 'AROAEXAMPLE' })).toBe('entry has neither rolearn nor sso: the authenticator drops it (userid "AROAEXAMPLE" alone does not count: the authenticator matches by rolearn or sso only)');
    expect(roleMappingProblem({ userid: '' })).toBe('entry has neither rolearn nor sso: the authenticator drops it');
  });

  test('an empty SSO partition is no partition; every partition the authenticator knows is kept', () => {
    expect(roleMappingProblem({ sso: { ...SSO, partition: '' } })).toBeUndefined();
    for (const partition of ['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc']) {
      expect(roleMappingProblem({ sso: { ...SSO, partition } })).toBeUndefined();
    }
    expect(roleMappingProblem({ sso: { ...SSO, partition: 'AWS' } })).toMatch(/^sso.partition "AWS" is not one of/);
  });

  test('permission set names: 1 to 32 of letters, digits and +=,.@_-', () => {
    expect(roleMappingProblem({ sso: { ...SSO, permissionSetName: 'a+=,.@_-Z9'.padEnd(32, 'x') } })).toBeUndefined();
    expect(roleMappingProblem({ sso: { ...SSO, permissionSetName: 'x'.repeat(33) } })).toMatch(/is not a valid permission set name/);
    expect(roleMappingProblem({ sso: { ...SSO, permissionSetName: '' } })).toMatch(/is not a valid permission set name/);
    expect(roleMappingProblem({ sso: { ...SSO, accountID: '1111222233334' } })).toMatch(/is not a 12-digit AWS account ID/);
  });
});

describe('userMappingProblem', () => {
  test('a missing or empty userarn drops the entry', () => {
    expect(userMappingProblem({ username: 'x' })).toBe('entry has no userarn: the authenticator drops it');
    expect(userMappingProblem({ userarn: '' })).toBe('entry has no userarn: the authenticator drops it');
    expect(userMappingProblem({ userarn: 'anything' })).toBeUndefined();
  });
});
