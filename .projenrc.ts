import { awscdk, javascript, release } from 'projen';

const cdkVersion = '2.263.0'; // the newest aws-cdk-lib that npm, PyPI and Maven all have

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-eks-access',
  description: 'Safe, declarative access control for Amazon EKS clusters: aws-auth, access entries and RBAC, applied idempotently at deploy time.',
  author: 'cdk-eks-access maintainers',
  authorAddress: 'maintainers@cdk-eks-access.dev',
  repositoryUrl: 'https://github.com/cdk-eks-access/cdk-eks-access.git',
  keywords: ['aws', 'cdk', 'eks', 'kubernetes', 'aws-auth', 'access-entries', 'rbac', 'iam'],
  license: 'Apache-2.0',
  stability: 'experimental',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,

  cdkVersion,
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',
  typescriptVersion: '~5.9.3', // typescript@latest is 7.x, which ts-node and ts-jest cannot load
  minNodeVersion: '20.16.0', // pins @types/node without asking for a dist-tag the registry lacks

  srcdir: 'lib',
  testdir: 'test',
  libdir: 'lib',

  // No hosted CI or bots: CI is .ci/run on a clean clone. Releases are cut by hand with projen's
  // manual release (`npx projen release`, see docs/releasing.md): the version comes from the git
  // tags and the commits, CHANGELOG.md gets the release's notes, and the release commit is tagged.
  github: false,
  buildWorkflow: false,
  release: true,
  releaseTrigger: release.ReleaseTrigger.manual({ changelogPath: 'CHANGELOG.md', gitPushCommand: '' }),
  // The first release is 0.1.0 (there is no tag yet); after it, the commits since the last tag decide.
  nextVersionCommand: 'git tag --list "v*" | grep -q . || echo 0.1.0',
  depsUpgrade: false,
  pullRequestTemplate: false,
  autoApproveUpgrades: false,
  sampleCode: false,
  docgen: true,
  lambdaAutoDiscover: false, // the handler is bundled by our own task below

  // Runtime dependencies the constructs and the CLI import; jsii needs them bundled.
  bundledDeps: ['js-yaml'],
  devDeps: [
    '@types/js-yaml',
    '@aws-sdk/client-eks',
    '@aws-sdk/client-sts',
    '@aws-sdk/client-iam',
    '@aws-sdk/client-cloudformation', // the handler checks that an event comes from its own stack
    '@smithy/signature-v4',
    '@smithy/protocol-http',
    '@aws-crypto/sha256-js',
    '@aws-sdk/credential-providers',
    // The Provider framework's runtime requires these (Lambda provides them); the rollback test runs it.
    '@aws-sdk/client-lambda',
    '@aws-sdk/client-sfn',
    'esbuild',
    'fast-check',
    'cdk-nag',
    'aws-cdk@~2.1148.0', // aws-cdk@latest is 3.0.0, which cannot read this cloud assembly schema
    'kubernetes-types',
    'ajv',
    'ajv-formats',
    'kubernetes-models@^4.5.1', // Kubernetes JSON schemas (v1.3x) for the RBAC manifest tests; 5.x is ESM-only and needs Node 22
    '@dagrejs/dagre', // layered graph layout of `eks-access report -o html`, bundled into the CLI
    'playwright-core', // drives the system Chromium in the report page's browser test (never downloads a browser)
    // Mutation testing (the `mutation` task); 10.x needs Node 22.
    '@stryker-mutator/core@~9.6.1',
    '@stryker-mutator/jest-runner@~9.6.1',
    '@stryker-mutator/typescript-checker@~9.6.1',
  ],

  // Python, Java, .NET and Go bindings.
  publishToPypi: { distName: 'cdk-eks-access', module: 'cdk_eks_access' },
  publishToMaven: {
    javaPackage: 'dev.cdkeksaccess',
    mavenGroupId: 'dev.cdk-eks-access',
    mavenArtifactId: 'cdk-eks-access',
  },
  publishToNuget: { dotNetNamespace: 'CdkEksAccess', packageId: 'CdkEksAccess' },
  publishToGo: { moduleName: 'github.com/cdk-eks-access/cdk-eks-access-go' },

  jestOptions: {
    passWithNoTests: false, // a run that finds no test is a failure
    // jest's default here is --updateSnapshot, which makes snapshot tests unable to fail.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      // srcdir is also jsii's output dir: load .ts before any stale compiled .js beside it.
      moduleFileExtensions: ['ts', 'tsx', 'js', 'json', 'node'],
      testPathIgnorePatterns: ['/node_modules/', '/test/.tmp/'],
      watchPathIgnorePatterns: ['/node_modules/', '/cdk.out/'],
      // A real etcd + kube-apiserver (with emulated EKS authentication and the EKS fake), started once
      // per run in the jest parent for the tests under test/integ/ (see test/support/README.md).
      globalSetup: '<rootDir>/test/support/kube/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/kube/global-teardown.ts',
    },
  },
  tsconfigDev: {
    compilerOptions: {},
    include: ['../examples/**/*.ts', '../bench/**/*.ts'],
  },
  gitignore: [
    'lib/**/*.js',
    'lib/**/*.d.ts',
    '!lib/**/*.d.ts.keep',
    '/assets/',
    '/cdk.out/',
    '/examples/**/cdk.out/',
    '/test/.tmp/',
    '/.venv/',
    '/bench/out/',
  ],
});

// The npm package (and every jsii binding built from it) carries the compiled constructs and core,
// the bundles in assets/, and nothing else: no local virtualenv, no unbundled handler, CLI, I/O or planning layer (they
// ship as bundles), no TypeScript sources. test/compliance/package-contents.test.ts checks this.
for (const p of ['/bench/', '/examples/', '/scripts/', '/.ci/', '/docs/', '/cdk.json', '/cdk.out/', '/test/', '/.venv/', '/lib/handler/**', '/lib/io/**', '/lib/plan/**', '/lib/cli/**', '/lib/**/*.ts']) {
  project.npmignore?.exclude(p);
}
project.npmignore?.include('/lib/**/*.d.ts');
project.npmignore?.include('/assets/');
// The `gitignore` option's '/test/.tmp/' is dropped when jest re-includes '/test/'; exclude it again here.
project.gitignore.exclude('/test/.tmp/');

project.package.addPackageResolutions('unrs-resolver@1.12.2');
project.addFields({ bin: { 'eks-access': 'bin/eks-access' } });

// Node 20's end-of-life banner on every jsii run is noise.
project.tasks.addEnvironment('JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION', '20');

// The handler, the CLI and their I/O layer (lib/io) are bundled by esbuild (scripts/bundle.mjs), so they may import build-time
// dependencies such as the AWS SDK; the constructs may not (jsii ships them unbundled).
project.eslint?.addOverride({
  files: ['lib/handler/**/*.ts', 'lib/io/**/*.ts', 'lib/plan/**/*.ts', 'lib/cli/**/*.ts'],
  rules: { 'import/no-extraneous-dependencies': ['error', { devDependencies: true, optionalDependencies: false, peerDependencies: true }] },
});

// The deploy-time handler is bundled once, at build time, so users need neither Docker nor esbuild.
const bundle = project.addTask('bundle', {
  description: 'Bundle the deploy-time Lambda handler with esbuild into assets/',
  exec: 'node scripts/bundle.mjs',
});
project.preCompileTask.spawn(bundle);
project.testTask.prependSpawn(bundle);
// ts-jest compiles each test file in isolation and reports no type errors; check the tests, the
// examples and the benchmark as a whole before running them.
const typecheckTests = project.addTask('typecheck:test', {
  description: 'Type-check the tests, examples and benchmark',
  exec: 'tsc --noEmit -p test/tsconfig.json',
});
project.testTask.prependSpawn(typecheckTests);
// No `prepare` script: the published package.json would keep it while scripts/ is not shipped (npm
// warns), and a git install would still lack the compiled library. Git installs are unsupported
// (README, Install); `npx cdk synth` and every build task bundle the handler themselves.

// Mutation testing of the pure core and the handler's planners (StrykerJS, stryker.config.json):
// tens of minutes on 2 cores, so not part of the test task. Scores are in docs/benchmarks.md.
// `npx projen mutation --mutate lib/core/aws-auth/parse.ts` runs one file.
const mutation = project.addTask('mutation', {
  description: 'Mutation testing (StrykerJS) of lib/core and the handler\'s pure planners; reports in reports/mutation/',
  exec: 'stryker run',
  receiveArgs: true,
});
mutation.env('KUBE_HARNESS', 'off'); // the unit tests it runs need no kube-apiserver
project.gitignore.exclude('/reports/', '/.stryker-tmp/');
project.npmignore?.exclude('/reports/', '/.stryker-tmp/', '/stryker.config.json');

// Synth benchmark against aws-cdk-lib's aws-eks (results in docs/benchmarks.md); not part of the tests.
project.addTask('bench', {
  description: 'Synthesize 10, 100 and 1000 teams with this library and with aws-cdk-lib aws-eks; print resources, bytes and seconds',
  exec: 'ts-node bench/synth-teams.ts',
  receiveArgs: true,
});

// The handler creating and deleting 1,000 teams on the test control plane (results in docs/benchmarks.md).
project.addTask('bench:handler', {
  description: 'Create, update and delete 1000 teams with the deploy-time handler on the test API server and EKS fake; print seconds and calls',
  exec: 'ts-node bench/handler-teams.ts',
  receiveArgs: true,
});

project.synth();
