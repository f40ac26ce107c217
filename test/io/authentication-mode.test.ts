import { advanceAuthenticationMode, authenticationModeSteps, chooseMechanism, modeAfter } from '../../lib/io/authentication-mode';
import { Deadline, DeadlineExceededError } from '../../lib/io/deadline';
import { EksSender } from '../../lib/io/eks-api';
import { Logger } from '../../lib/io/log';

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

describe('a mode update that outlasts the deadline', () => {
  /** EKS answering "in progress" to every DescribeUpdate, with the deadline reached inside call number `lastCall`. */
  function slowEks(lastCall: number): EksSender & { describes: number } {
    const eks = {
      describes: 0,
      async send<T>(command: { constructor: { name: string } }): Promise<T> {
        if (command.constructor.name === 'UpdateClusterConfigCommand') {
          return { update: { id: 'u-1' } } as T;
        }
        eks.describes++;
        if (eks.describes === lastCall) {
          // What the EKS client throws when the deadline falls during a call.
          throw new DeadlineExceededError('ran out of time while calling EKS DescribeUpdate (no answer before the Lambda\'s time limit); re-run the deployment (the handler is idempotent)');
        }
        return { update: { id: 'u-1', status: 'InProgress' } } as T;
      },
    };
    return eks;
  }
  const options = () => ({ deadline: new Deadline(Date.now() + 60_000), log: new Logger({}, () => undefined), pollMs: 1 });

  test('reached during a poll, after the update was seen in progress: reported as the wait, with the update\'s status', async () => {
    const eks = slowEks(3);
    await expect(advanceAuthenticationMode(eks, 'prod', 'CONFIG_MAP', 'API_AND_CONFIG_MAP', options()))
      .rejects.toThrow('ran out of time while waiting for the authentication mode of "prod" to become API_AND_CONFIG_MAP (update u-1 is InProgress); the Lambda\'s time limit is near.');
    expect(eks.describes).toBe(3);
  });

  test('reached during the first poll: reported as the call it interrupted', async () => {
    await expect(advanceAuthenticationMode(slowEks(1), 'prod', 'CONFIG_MAP', 'API_AND_CONFIG_MAP', options()))
      .rejects.toThrow('ran out of time while calling EKS DescribeUpdate');
  });
});
