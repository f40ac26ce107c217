/**
 * Every template the examples synthesize (nested stacks included) passes cfn-lint.
 *
 * cfn-lint comes from the Python package index, pinned in scripts/setup-python-tools.sh, which
 * this test runs (idempotent: instant when .venv/ is already right, ~35 s the first time).
 * Any finding fails the test and is printed, except the ones listed in ACCEPTED below, each with
 * the reason it is accepted; an accepted finding that no longer occurs fails too, so the list
 * cannot go stale.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { synthesizeTemplates, SynthesizedTemplate } from './templates';
import { skipCfnSchemaValidation } from '../constructs/helpers';

const ROOT = path.resolve(__dirname, '..', '..');
const OUT = path.join(ROOT, 'test', '.tmp', 'compliance', 'cfn-lint');

interface CfnLintFinding {
  readonly Filename: string;
  readonly Level: string;
  readonly Message: string;
  readonly Location: { Path: (string | number)[]; Start: { LineNumber: number } };
  readonly Rule: { Id: string; ShortDescription: string };
}

/** A finding, as compared against ACCEPTED. */
interface Finding {
  readonly template: string;
  readonly rule: string;
  readonly resource: string;
  readonly resourceType: string;
  readonly message: string;
  readonly line: number;
}

interface AcceptedFinding {
  readonly rule: string;
  readonly resourceType: string;
  /** Matches the finding's message. */
  readonly message: RegExp;
  /** Templates (app/file name) it occurs in; the test fails if it is missing from one. */
  readonly occursIn: string[];
  readonly reason: string;
  /** Set when the finding is in this project's own output and is to be fixed there. */
  readonly toFixIn?: string;
}

const ACCEPTED: AcceptedFinding[] = [
  {
    rule: 'W3005',
    resourceType: 'AWS::Lambda::Function',
    message: /^'ClusterAccessProvider(HandlerServiceRole|frameworkonEventServiceRole)[0-9A-F]{8}' dependency already enforced by a 'GetAtt' at 'Resources\/ClusterAccessProvider(Handler|frameworkonEvent)[0-9A-F]{8}\/Properties\/Role'$/,
    occursIn: [
      'new-cluster/EksAccessNewCluster.template.json',
      'imported-cluster/EksAccessPlatform.template.json',
      'nested-teams/EksAccessNestedTeams.template.json',
    ],
    reason: 'aws-cdk-lib\'s lambda.Function depends on its whole role construct (the role and its default policy) so the policy is in place before the function can run; the role half of that DependsOn is redundant with the Role GetAtt, which is harmless.',
  },
];

function lint(cfnLint: string, templates: SynthesizedTemplate[]): Finding[] {
  let output: string;
  try {
    output = execFileSync(cfnLint, ['--format', 'json', '--', ...templates.map((t) => t.file)], { encoding: 'utf-8', maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    // cfn-lint exits non-zero when it finds something (2 errors, 4 warnings, 8 informational).
    const err = e as { status?: number; stdout?: string; stderr?: string };
    if (!err.stdout || !err.stdout.trim().startsWith('[')) {
      throw new Error(`cfn-lint failed (exit ${err.status}): ${err.stderr ?? ''}`);
    }
    output = err.stdout;
  }
  const resourcesOf = new Map<string, Record<string, { Type: string }>>();
  return (JSON.parse(output) as CfnLintFinding[]).map((f) => {
    if (!resourcesOf.has(f.Filename)) {
      resourcesOf.set(f.Filename, JSON.parse(fs.readFileSync(f.Filename, 'utf-8')).Resources ?? {});
    }
    const [section, name] = f.Location.Path;
    const resource = section === 'Resources' ? String(name) : '';
    return {
      template: path.relative(OUT, f.Filename),
      rule: f.Rule.Id,
      resource,
      resourceType: resourcesOf.get(f.Filename)![resource]?.Type ?? '',
      message: f.Message,
      line: f.Location.Start.LineNumber,
    };
  });
}

function describeFinding(f: Finding): string {
  return `${f.template}:${f.line} ${f.rule} ${f.resource} (${f.resourceType}): ${f.message}`;
}

describe('cfn-lint', () => {
  skipCfnSchemaValidation(); // cfn-lint checks the templates against the CloudFormation schema itself

  let findings: Finding[];
  let templates: SynthesizedTemplate[];

  beforeAll(() => {
    let bin: string;
    try {
      bin = execFileSync('bash', [path.join(ROOT, 'scripts', 'setup-python-tools.sh')], { encoding: 'utf-8' }).trim().split('\n').pop()!;
    } catch (e) {
      throw new Error(`scripts/setup-python-tools.sh could not install cfn-lint into .venv/: ${(e as { stderr?: string }).stderr ?? e}`);
    }
    templates = synthesizeTemplates(OUT);
    findings = lint(path.join(bin, 'cfn-lint'), templates);
  }, 300_000);

  test('every example app and nested stack template is linted', () => {
    const names = templates.map((t) => path.relative(OUT, t.file));
    expect(names).toEqual(expect.arrayContaining([
      'new-cluster/EksAccessNewCluster.template.json',
      'imported-cluster/EksAccessIdentity.template.json',
      'imported-cluster/EksAccessPlatform.template.json',
      'nested-teams/EksAccessNestedTeams.template.json',
    ]));
    expect(templates.filter((t) => t.nested)).toHaveLength(2);
  });

  test('no findings beyond the accepted ones', () => {
    const unexpected = findings.filter((f) => !ACCEPTED.some((a) => accepts(a, f)));
    if (unexpected.length > 0) {
      throw new Error(`cfn-lint found ${unexpected.length} problem(s):\n${unexpected.map(describeFinding).join('\n')}`);
    }
  });

  test('every accepted finding still occurs where listed', () => {
    const stale = ACCEPTED.flatMap((a) => a.occursIn
      .filter((t) => !findings.some((f) => f.template === t && accepts(a, f)))
      .map((t) => `${a.rule} on ${a.resourceType} in ${t}`));
    expect(stale).toEqual([]);
  });
});

function accepts(a: AcceptedFinding, f: Finding): boolean {
  return a.rule === f.rule && a.resourceType === f.resourceType && a.message.test(f.message);
}
