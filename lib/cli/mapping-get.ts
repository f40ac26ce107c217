/** `eks-access mapping get`: list mappings, or the one that applies to an ARN. */
import { CliIo, AwsAuthStore, EXIT_OK } from './io';
import { readStoreText } from './load';
import { Flags, outputFlag, stringFlag } from './options';
import { MappingRow, formatJson, formatTable, formatYaml, mappingRows } from './output';
import { AccessConfigError, awsAuthRoleArn, principalArnProblem } from '../core/arn';
import { AwsAuthConfigMap, matchCaller } from '../core/aws-auth';

export async function mappingGet(flags: Flags, store: AwsAuthStore, io: CliIo): Promise<number> {
  const output = outputFlag(flags, ['table', 'json', 'yaml'], 'table');
  const arn = stringFlag(flags, 'arn');
  const { configMap, missing, unreadable } = readStoreText(await store.load(), store.description);
  if (missing) {
    io.stderr(`note: ${store.description} does not exist: no aws-auth, so no mappings\n`);
  }
  if (unreadable.length > 0) {
    io.stderr(`note: the authenticator ignores parts of ${store.description} (shown as it reads the rest; edits refuse until they are fixed, see eks-access lint):\n${unreadable.map((p) => `  ${p}\n`).join('')}`);
  }
  const rows = arn === undefined ? mappingRows(configMap) : rowsForArn(configMap, arn, io);
  const visible = rows.map(({ source: _source, ...row }) => row);
  io.stdout(output === 'table' ? formatTable(rows) : output === 'json' ? formatJson(visible) : formatYaml(visible));
  return EXIT_OK;
}

/** Mappings written for `arn`; failing that, the entry the authenticator would use for it. */
function rowsForArn(configMap: AwsAuthConfigMap, arn: string, io: CliIo): MappingRow[] {
  const all = mappingRows(configMap);
  const exact = all.filter((r) => (r.rolearn ?? r.userarn)?.toLowerCase() === arn.toLowerCase());
  if (exact.length > 0) {
    return exact;
  }
  // A role ARN with a path, or a session ARN: look it up as the authenticator would.
  const lookup = principalArnProblem(arn) === undefined ? awsAuthRoleArn(arn) : arn;
  let matched;
  try {
    matched = matchCaller(configMap, { arn: lookup });
  } catch (e) {
    throw new AccessConfigError(`no mapping for "${arn}": ${(e as Error).message}`);
  }
  if (!matched) {
    throw new AccessConfigError(`no mapping for "${arn}" in aws-auth`);
  }
  io.stderr(`note: no entry names "${arn}"; the authenticator maps it with ${matched.source}\n`);
  return all.filter((r) => r.source === matched.source);
}
