/**
 * Smoke test of the synth benchmark (bench/synth-teams.ts) with two teams: both implementations
 * synthesize, and the numbers it reports are the ones in the templates.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { formatRow, synthTeams } from '../../bench/synth-teams';
import { skipCfnSchemaValidation } from '../constructs/helpers';

describe('synth benchmark', () => {
  skipCfnSchemaValidation();
  let out: string;
  beforeAll(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-eks-access-bench-'));
  });
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  test('two teams, both libraries: counted, deployable, and each team costs what it should', () => {
    const ours0 = synthTeams('cdk-eks-access', 0, path.join(out, 'ours-0'));
    const ours = synthTeams('cdk-eks-access', 2, path.join(out, 'ours-2'));
    const theirs0 = synthTeams('aws-eks', 0, path.join(out, 'theirs-0'));
    const theirs = synthTeams('aws-eks', 2, path.join(out, 'theirs-2'));
    for (const r of [ours0, ours, theirs0, theirs]) {
      expect(r.error).toBeUndefined();
      expect(r.deployable).toBe(true);
      expect(r.bytes).toBeGreaterThan(0);
    }
    // A team here is an IAM role and group (its policy inline); aws-eks adds the group's policy and
    // a custom resource per RoleBinding.
    expect(ours.resources - ours0.resources).toBe(4);
    expect(theirs.resources - theirs0.resources).toBeGreaterThanOrEqual(8);

    const template = JSON.parse(fs.readFileSync(path.join(out, 'ours-2', 'Teams.template.json'), 'utf-8'));
    expect(Object.keys(template.Resources)).toHaveLength(ours.resources);
    expect(formatRow(ours, ours0)).toMatch(/^\| cdk-eks-access \| 2 \| [\d.]+ \| \d+ \| [\d.]+ \| 2\.00 \(\+\d+\) \|/);
  });

  test('a synth error is reported as the result', () => {
    // aws-cdk-lib refuses stacks over 500 resources at synth time; 150 aws-eks teams (4 resources each, in the one stack) exceed it.
    const r = synthTeams('aws-eks', 150, path.join(out, 'theirs-150'));
    expect(r.error).toMatch(/500/);
    expect(r.deployable).toBe(false);
    expect(formatRow(r, r)).toContain('synth failed');
  });
});
