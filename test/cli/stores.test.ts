/** Choosing the ConfigMap's store from the flags: file or live cluster, and live mode's region. */
import { CliIo } from '../../lib/cli/io';
import { liveRegion, storeFromFlags } from '../../lib/cli/stores';

const io: CliIo = { readStdin: async () => '', stdout: () => undefined, stderr: () => undefined };

describe('liveRegion', () => {
  test('--region wins over AWS_REGION, which wins over AWS_DEFAULT_REGION', () => {
    expect(liveRegion({ region: 'eu-west-1' }, 'c', { AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-2' })).toBe('eu-west-1');
    expect(liveRegion({}, 'c', { AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-2' })).toBe('us-east-1');
    expect(liveRegion({}, 'c', { AWS_DEFAULT_REGION: 'us-east-2' })).toBe('us-east-2');
    expect(liveRegion({}, 'c', { AWS_REGION: '', AWS_DEFAULT_REGION: 'ap-southeast-2' })).toBe('ap-southeast-2');
  });

  test('none at all is a usage error naming the cluster', () => {
    expect(() => liveRegion({}, 'prod', {})).toThrow('no AWS region for EKS cluster "prod": give --region, or set AWS_REGION');
  });
});

describe('storeFromFlags', () => {
  test('--cluster opens a live store for that cluster and region without contacting it yet', () => {
    const store = storeFromFlags({}, { AWS_REGION: 'eu-central-1' })({ cluster: 'prod' }, io);
    expect(store.description).toBe('kube-system/aws-auth on EKS cluster "prod" in eu-central-1');
    expect(store.update).toBeInstanceOf(Function);
    expect(store.applyObjects).toBeInstanceOf(Function);
  });

  test('--file opens a file store, which edits by load and save', () => {
    const store = storeFromFlags({}, {})({ file: 'cm.yaml' }, io);
    expect(store.description).toBe('file cm.yaml');
    expect(store.update).toBeUndefined();
  });

  test('the live store asks its session opener with the flags\' cluster, region and role, once per command', async () => {
    const seen: unknown[] = [];
    const store = storeFromFlags({
      openCluster: async (options) => {
        seen.push({ clusterName: options.clusterName, region: options.region, roleArn: options.roleArn });
        throw Object.assign(new Error('No cluster found for name: prod.'), { name: 'ResourceNotFoundException' });
      },
    }, {})({ 'cluster': 'prod', 'region': 'us-west-2', 'role-arn': 'arn:aws:iam::111122223333:role/eks-admin' }, io);
    await expect(store.load()).rejects.toThrow('could not read kube-system/aws-auth on EKS cluster "prod" in us-west-2: ResourceNotFoundException: No cluster found for name: prod.');
    await expect(store.update!(() => undefined)).rejects.toThrow('could not write');
    await store.close!();
    expect(seen).toEqual([{ clusterName: 'prod', region: 'us-west-2', roleArn: 'arn:aws:iam::111122223333:role/eks-admin' }]);
  });

  test('--timeout sets the live store\'s time limit, in whole seconds, and only goes with --cluster', async () => {
    const started = Date.now();
    const store = storeFromFlags({
      openCluster: async (options) => {
        throw new Error(`deadline in ${Math.round(options.deadline!.remainingMs() / 1000)} s`);
      },
    }, {})({ cluster: 'prod', region: 'us-west-2', timeout: '900' }, io);
    await expect(store.load()).rejects.toThrow(/deadline in (899|900) s/);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(() => storeFromFlags({}, {})({ cluster: 'prod', region: 'us-west-2', timeout: '1.5' }, io)).toThrow('--timeout "1.5" is not a number of seconds from 1 to 86400');
    expect(() => storeFromFlags({}, {})({ file: 'cm.yaml', timeout: '60' }, io)).toThrow('--timeout only goes with --cluster');
  });
});
