/**
 * Every example stack passes cdk-nag's AwsSolutions pack with no unacknowledged error or warning,
 * and every acknowledgment (nag-acknowledgments.ts) is about a finding that really occurs.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { complianceApps } from './example-apps';
import { acknowledgeClusterAccess, acknowledgeNewClusterExample } from './nag-acknowledgments';
import { ClusterAccess } from '../../lib';
import { skipCfnSchemaValidation } from '../constructs/helpers';

const OUT = path.resolve(__dirname, '..', '.tmp', 'compliance', 'cdk-nag');

interface Violation {
  readonly rule: string;
  readonly severity: string;
  readonly path: string;
}

/** Synthesizes `app` with AwsSolutionsChecks; the violations it reports (none when synth passes). */
function nagViolations(app: App): Violation[] {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  try {
    app.synth();
    return [];
  } catch (e) {
    const report = path.join(app.outdir, 'validation-report.json');
    if (!fs.existsSync(report)) throw e;
    const json = JSON.parse(fs.readFileSync(report, 'utf-8'));
    return (json.pluginReports as any[]).flatMap((r) => (r.violations as any[]).flatMap((v) =>
      (v.violatingConstructs as any[]).map((c) => ({ rule: v.ruleName, severity: v.severity, path: c.constructPath }))));
  }
}

function acknowledgeAll(apps: ReturnType<typeof complianceApps>): void {
  for (const a of apps) {
    for (const stack of a.stacks) {
      stack.node.findAll().filter((c): c is ClusterAccess => c instanceof ClusterAccess).forEach(acknowledgeClusterAccess);
      if (a.name === 'new-cluster') acknowledgeNewClusterExample(stack);
    }
  }
}

/** Every acknowledgment recorded in `root`'s tree: the construct path and the rule ID. */
function acknowledgments(root: IConstruct): { path: string; rule: string; reason: string }[] {
  return root.node.findAll().flatMap((c) => c.node.metadata
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) => Object.entries(m.data as Record<string, string>)
      .map(([rule, reason]) => ({ path: c.node.path, rule: rule.replace(/^annotation::/i, ''), reason }))));
}

describe('cdk-nag AwsSolutions', () => {
  skipCfnSchemaValidation(); // cfn-lint.test.ts checks the templates; nag reads the construct tree

  test('every example stack passes with its acknowledgments', () => {
    const apps = complianceApps((name) => path.join(OUT, 'acknowledged', name));
    acknowledgeAll(apps);
    const open = apps.flatMap((a) => nagViolations(a.app).map((v) => `${a.name}: ${v.severity} ${v.rule} at ${v.path}`));
    if (open.length > 0) {
      throw new Error(`cdk-nag reports ${open.length} unacknowledged finding(s):\n${open.join('\n')}`);
    }
  });

  test('each acknowledgment matches a real finding and gives a reason', () => {
    // The same apps without acknowledgments: the full list of findings.
    const bare = complianceApps((name) => path.join(OUT, 'bare', name));
    const findings = bare.flatMap((a) => nagViolations(a.app));
    expect(findings.length).toBeGreaterThan(0);

    const acked = complianceApps((name) => path.join(OUT, 'unused', name));
    acknowledgeAll(acked);
    const all = acked.flatMap((a) => acknowledgments(a.app));
    expect(all.length).toBeGreaterThan(0);
    const unused = all.filter((ack) => !findings.some((f) => f.rule === ack.rule && (f.path === ack.path || f.path.startsWith(`${ack.path}/`))));
    expect(unused).toEqual([]);
    for (const ack of all) {
      expect(ack.reason.length).toBeGreaterThan(40);
    }
  });

  test('the teams themselves (IAM roles, groups, nested stacks) need no acknowledgment', () => {
    const apps = complianceApps((name) => path.join(OUT, 'teams', name));
    const findings = apps.flatMap((a) => nagViolations(a.app));
    const onTeams = findings.filter((f) => !/\/(ClusterAccessProvider|Vpc|Cluster|ClusterRole|Access\/HandlerPolicy[0-9A-F]{8})(\/|$)/.test(f.path));
    expect(onTeams).toEqual([]);
  });
});
