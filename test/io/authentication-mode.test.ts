import { authenticationModeSteps, chooseMechanism, modeAfter } from '../../lib/io/authentication-mode';

describe('authentication mode steps', () => {
  test('one step at a time, forward only, never the current mode again', () => {
    expect(authenticationModeSteps('CONFIG_MAP', 'API')).toEqual(['API_AND_CONFIG_MAP', 'API']);
    expect(authenticationModeSteps('CONFIG_MAP', 'API_AND_CONFIG_MAP')).toEqual(['API_AND_CONFIG_MAP']);
    expect(authenticationModeSteps('API_AND_CONFIG_MAP', 'API_AND_CONFIG_MAP')).toEqual([]);
    expect(authenticationModeSteps('API', 'CONFIG_MAP')).toEqual([]);
    expect(authenticationModeSteps('API', undefined)).toEqual([]);
  });

  test('modeAfter: the target when ahead, else the current mode', () => {
    expect(modeAfter('CONFIG_MAP', 'API')).toBe('API');
    expect(modeAfter('API', 'CONFIG_MAP')).toBe('API');
    expect(modeAfter('API_AND_CONFIG_MAP', undefined)).toBe('API_AND_CONFIG_MAP');
  });
});

describe('mechanism choice', () => {
  test('AUTO picks access entries wherever the mode has them', () => {
    expect(chooseMechanism('AUTO', 'CONFIG_MAP', 'c')).toEqual({ awsAuth: true, accessEntries: false });
    expect(chooseMechanism('AUTO', 'API_AND_CONFIG_MAP', 'c')).toEqual({ awsAuth: false, accessEntries: true });
    expect(chooseMechanism('AUTO', 'API', 'c')).toEqual({ awsAuth: false, accessEntries: true });
  });

  test('no aws-auth writes on API clusters, no access entries on CONFIG_MAP clusters', () => {
    expect(() => chooseMechanism('AWS_AUTH', 'API', 'prod')).toThrow(/cluster "prod" uses authentication mode API, which ignores aws-auth/);
    expect(() => chooseMechanism('ACCESS_ENTRIES', 'CONFIG_MAP', 'prod')).toThrow(/CONFIG_MAP, which has no access entries/);
    expect(chooseMechanism('AWS_AUTH', 'API_AND_CONFIG_MAP', 'c')).toEqual({ awsAuth: true, accessEntries: false });
  });
});
